import Foundation

/// A source as the API shows it (SPEC §12): the secret masked, except in the answers to create
/// and rotate, which carry the new one in full once (`secret`).
public struct SourceResource: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var provider: InboundProvider
    /// Where the provider sends its webhooks: `<server.publicURL>/v1/inbound/{id}` (the path
    /// alone without `server.publicURL`).
    public var url: String
    public var secretStatus: SourceSecrets.Status
    @Nullable public var stateReason: String?
    /// When a rotation's grace ends (RFC 3339), while `CONFIGURING`.
    @Nullable public var deadline: String?
    /// The accepted secrets, masked, current first.
    public var secrets: [String]
    public var senders: [SenderResource]
    public var progress: Progress
    /// The senders still on the previous secret while `CONFIGURING` or `FAILED`.
    public var lagging: [String]
    public var rejected: Int
    @Nullable public var lastRejectedAt: String?
    public var createdAt: String
    public var updatedAt: String
    /// The new secret in full: only in the answers to create and rotate.
    @Omissible public var secret: String??

    /// A sender seen verified.
    public struct SenderResource: Codable, Sendable, Equatable {
        public var name: String
        public var lastVerifiedAt: String
        public var onCurrentSecret: Bool
    }

    /// How many of the senders a rotation waits for sign with the new secret.
    public struct Progress: Codable, Sendable, Equatable {
        public var switched: Int
        public var total: Int

        public init(switched: Int, total: Int) {
            self.switched = switched
            self.total = total
        }
    }

    /// `source` as reads show it; `secret` is the new secret for create and rotate answers.
    public init(_ source: Source, publicURL: String?, secret: String? = nil) {
        let secrets = source.secrets
        id = source.id
        name = source.name
        provider = source.provider
        url = (publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? "") + "/v1/inbound/\(source.id)"
        secretStatus = secrets.status
        stateReason = secrets.reason
        deadline = secrets.deadline.map(RFC3339.format(millis:))
        self.secrets = secrets.accepted.map(WebhookSecrets.mask)
        senders = secrets.senders.values.sorted { $0.name < $1.name }.map {
            SenderResource(
                name: $0.name, lastVerifiedAt: RFC3339.format(millis: $0.lastVerifiedAt),
                onCurrentSecret: $0.onCurrentSecret)
        }
        progress = Progress(switched: secrets.progress.switched, total: secrets.progress.total)
        lagging = secrets.status == .configuring || secrets.status == .failed ? secrets.lagging : []
        rejected = source.rejected
        lastRejectedAt = source.lastRejectedAt.map(RFC3339.format(millis:))
        createdAt = RFC3339.format(millis: source.createdAt)
        updatedAt = RFC3339.format(millis: source.updatedAt)
        self.secret = secret.map { .some($0) } ?? .none
    }
}

/// `GET /v1/sources`.
public struct SourceList: Codable, Sendable, Equatable {
    public var sources: [SourceResource]

    public init(sources: [SourceResource]) {
        self.sources = sources
    }
}

/// The body of `POST /v1/sources` (`name` and `provider`) and of `PATCH /v1/sources/{id}`
/// (`name`; a source's provider does not change).
public struct SourceRequest: Codable, Sendable, Equatable {
    public var name: String?
    public var provider: InboundProvider?

    public init(name: String? = nil, provider: InboundProvider? = nil) {
        self.name = name
        self.provider = provider
    }

    /// Reads a create body: `name` and `provider` are required. Names every problem at once.
    public static func creation(json: [String: JSONValue]) throws(RelayProblem) -> (
        name: String, provider: InboundProvider
    ) {
        var errors = FieldError.unknownMembers(of: json, known: ["name", "provider"])
        let name = Self.name(json, required: true, errors: &errors)
        let provider = json["provider"]?.string.flatMap(InboundProvider.init(rawValue:))
        if provider == nil {
            let providers = InboundProvider.allCases.map(\.rawValue).joined(separator: ", ")
            errors.append(FieldError(field: "provider", reason: "is required, one of \(providers)"))
        }
        guard errors.isEmpty, let name, let provider else { throw .invalid(errors) }
        return (name, provider)
    }

    /// Reads a PATCH body: the new name, if one is given. A source's provider does not change.
    public static func rename(json: [String: JSONValue]) throws(RelayProblem) -> String? {
        var errors = FieldError.unknownMembers(of: json, known: ["name", "provider"])
        let name = Self.name(json, required: false, errors: &errors)
        if json["provider"] != nil {
            errors.append(
                FieldError(field: "provider", reason: "cannot change: create a new source for another provider"))
        }
        guard errors.isEmpty else { throw .invalid(errors) }
        return name
    }

    private static func name(_ json: [String: JSONValue], required: Bool, errors: inout [FieldError]) -> String? {
        switch json["name"] {
        case .string(let text)?:
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard (1...100).contains(trimmed.count) else {
                errors.append(FieldError(field: "name", reason: "must be 1 to 100 characters"))
                return nil
            }
            return trimmed
        case nil where !required:
            return nil
        default:
            errors.append(
                FieldError(field: "name", reason: required ? "is required and must be a string" : "must be a string"))
            return nil
        }
    }
}

/// The body of `POST /v1/sources/{id}/secret/rotate`: how long the previous secret stays
/// accepted (`"24h"`, `"0s"`); `inbound.rotationGrace` when left out.
public struct SourceRotation: Codable, Sendable, Equatable {
    public var grace: RelayDuration?

    public init(grace: RelayDuration?) {
        self.grace = grace
    }

    /// Reads the body (empty or `{}` for the default grace), naming what is wrong.
    public init(json: [String: JSONValue]) throws(RelayProblem) {
        var errors = FieldError.unknownMembers(of: json, known: ["grace"])
        switch json["grace"] {
        case nil, .null?: grace = nil
        case .string(let text)?:
            do {
                grace = try RelayDuration(parsing: text)
            } catch {
                errors.append(FieldError(field: "grace", reason: "must be a duration such as 24h, 30m or 0s"))
            }
        default: errors.append(FieldError(field: "grace", reason: "must be a duration such as 24h, 30m or 0s"))
        }
        guard errors.isEmpty else { throw .invalid(errors) }
    }
}

/// `POST /v1/sources/{id}/secret/reveal`: the current secret in full.
public struct SourceSecret: Codable, Sendable, Equatable {
    public var secret: String

    public init(secret: String) {
        self.secret = secret
    }
}
