import Foundation

/// A webhook being edited on the settings page (SPEC §10 item 4): what the operator has changed
/// since opening the editor. Nothing is stored until Save applies ``patch(onto:)`` through the
/// admin API's own update; the editing steps refuse with the API's own rules and words.
///
/// ```swift
/// var draft = WebhookDraft(webhook)
/// try draft.addSecret("whsec_…")          // refused past 10, with the reason
/// let members = try draft.patch(onto: stored)  // a PATCH /v1/webhooks/{id} body
/// ```
public struct WebhookDraft: Sendable, Equatable {
    /// What Save does to the authorization header.
    public enum AuthorizationChange: Sendable, Equatable {
        case keep
        case set(String)
        case clear
    }

    /// The batch fields as typed.
    public struct Batch: Sendable, Equatable {
        public var maxEvents: String
        public var maxBytes: String
        public var maxWait: String

        public init(maxEvents: String, maxBytes: String, maxWait: String) {
            self.maxEvents = maxEvents
            self.maxBytes = maxBytes
            self.maxWait = maxWait
        }

        /// The defaults, for a webhook that starts batching.
        public static let defaults = Batch(BatchSettings())

        public init(_ settings: BatchSettings) {
            self.init(
                maxEvents: String(settings.maxEvents), maxBytes: String(settings.maxBytes),
                maxWait: settings.maxWait.description)
        }
    }

    /// The stored webhook's `updatedAt` when the editor opened: Save refuses if it has changed.
    public var version: String
    public var kind: WebhookKind
    public var name: String
    /// Custom webhooks only (a Slack URL is a credential and never shown).
    public var url: String
    /// The checked event types and patterns.
    public var events: [String]
    public var format: MessageFormat
    /// `nil`: one event per request.
    public var batch: Batch?
    public var enabled: Bool
    /// Which stored secrets stay, by index in signing order.
    public var keptSecrets: [Int]
    /// Secrets added since the editor opened, signed with after the kept ones.
    public var addedSecrets: [String]
    public var authorization: AuthorizationChange
    /// The custom headers, in the order shown.
    public var headers: [(name: String, value: String)]

    /// The draft of `webhook` as stored, nothing changed yet.
    public init(_ webhook: WebhookResource) {
        version = webhook.updatedAt
        kind = webhook.kind
        name = webhook.name
        url = webhook.kind == .custom ? webhook.url : ""
        events = webhook.events
        format = (webhook.format ?? nil) ?? .json
        batch = (webhook.batch ?? nil).map(Batch.init)
        enabled = webhook.enabled
        keptSecrets = Array(webhook.secrets.indices)
        addedSecrets = []
        authorization = .keep
        headers = webhook.headers.sorted { $0.key.lowercased() < $1.key.lowercased() }.map { ($0.key, $0.value) }
    }

    public init(
        version: String, kind: WebhookKind, name: String, url: String, events: [String], format: MessageFormat,
        batch: Batch?, enabled: Bool, keptSecrets: [Int], addedSecrets: [String], authorization: AuthorizationChange,
        headers: [(name: String, value: String)]
    ) {
        self.version = version
        self.kind = kind
        self.name = name
        self.url = url
        self.events = events
        self.format = format
        self.batch = batch
        self.enabled = enabled
        self.keptSecrets = keptSecrets
        self.addedSecrets = addedSecrets
        self.authorization = authorization
        self.headers = headers
    }

    public static func == (lhs: WebhookDraft, rhs: WebhookDraft) -> Bool {
        lhs.version == rhs.version && lhs.kind == rhs.kind && lhs.name == rhs.name && lhs.url == rhs.url
            && lhs.events == rhs.events && lhs.format == rhs.format && lhs.batch == rhs.batch
            && lhs.enabled == rhs.enabled && lhs.keptSecrets == rhs.keptSecrets
            && lhs.addedSecrets == rhs.addedSecrets && lhs.authorization == rhs.authorization
            && lhs.headers.elementsEqual(rhs.headers) { $0.name == $1.name && $0.value == $1.value }
    }

    /// How many secrets Save would leave.
    public var secretCount: Int { keptSecrets.count + addedSecrets.count }

    // MARK: Editing steps

    /// Adds a secret ("Add"); refused, on `secret`, as the API refuses it: a bad value or an 11th.
    public mutating func addSecret(_ secret: String) throws(FieldError) {
        if let reason = WebhookSecrets.problem(secret) { throw FieldError(field: "secret", reason: reason) }
        guard secretCount < WebhookSecrets.maxCount else {
            throw FieldError(
                field: "secret", reason: "at most \(WebhookSecrets.maxCount) secrets are allowed; remove one first")
        }
        addedSecrets.append(secret)
    }

    /// Sets the authorization header Save stores; refused, on `authorization`, when it is not
    /// `<auth-scheme> <credentials>`.
    public mutating func setAuthorization(_ value: String) throws(FieldError) {
        if let reason = HeaderRules.authorizationProblem(value) {
            throw FieldError(field: "authorization", reason: reason)
        }
        authorization = .set(value)
    }

    /// Adds a custom header row; refused, on `header`, when the name or value breaks §3.2 or the
    /// name is already there.
    public mutating func addHeader(name: String, value: String) throws(FieldError) {
        guard !headers.contains(where: { $0.name.lowercased() == name.lowercased() }) else {
            throw FieldError(field: "header", reason: "there is already a header named \(name)")
        }
        let all = Dictionary(headers + [(name, value)], uniquingKeysWith: { first, _ in first })
        let problems = HeaderRules.headerProblems(all)
        if let problem = problems.first(where: { $0.field == "headers.\(name)" }) ?? problems.first {
            throw FieldError(field: "header", reason: problem.reason)
        }
        headers.append((name, value))
    }

    /// Adds an event type or pattern, checked; refused, on `pattern`, when it is neither.
    public mutating func addPattern(_ text: String) throws(FieldError) {
        do {
            let pattern = try EventTypePattern(parsing: text)
            if !events.contains(pattern.description) { events.append(pattern.description) }
        } catch {
            throw FieldError(field: "pattern", reason: error.errors.first?.reason ?? error.detail)
        }
    }

    // MARK: Save

    /// The `PATCH /v1/webhooks/{id}` members that make `stored` what the draft shows, for the API's
    /// update to validate and apply. Refused with a `409` when `stored` changed since the editor
    /// opened, and with `422`s naming `batch.*` for batch fields that are not numbers or durations.
    public func patch(onto stored: Webhook) throws(RelayProblem) -> [String: JSONValue] {
        guard RFC3339.format(millis: stored.updatedAt) == version else {
            throw RelayProblem(
                status: 409, title: "Conflict",
                detail: "the webhook was changed elsewhere since this editor opened; discard and open it again")
        }
        var members: [String: JSONValue] = [
            "name": .string(name), "events": .array(events.map(JSONValue.string)),
        ]
        if enabled != stored.enabled { members["enabled"] = .bool(enabled) }
        guard kind == .custom else { return members }
        members["url"] = .string(url)
        members["format"] = .string(format.rawValue)
        members["batch"] = try batch.map { batch throws(RelayProblem) in try Self.members(of: batch) } ?? .null
        let kept = keptSecrets.filter(stored.secrets.indices.contains).map { stored.secrets[$0] }
        members["secrets"] = .array((kept + addedSecrets).map(JSONValue.string))
        switch authorization {
        case .keep: break
        case .set(let value): members["authorization"] = .string(value)
        case .clear: members["authorization"] = .null
        }
        members["headers"] = .object(
            Dictionary(headers.map { ($0.name, JSONValue.string($0.value)) }, uniquingKeysWith: { first, _ in first }))
        return members
    }

    private static func members(of batch: Batch) throws(RelayProblem) -> JSONValue {
        var errors: [FieldError] = []
        let maxEvents = Int(batch.maxEvents.trimmingCharacters(in: .whitespaces))
        if maxEvents == nil { errors.append(FieldError(field: "batch.maxEvents", reason: "must be a whole number")) }
        let maxBytes = Int(batch.maxBytes.trimmingCharacters(in: .whitespaces))
        if maxBytes == nil { errors.append(FieldError(field: "batch.maxBytes", reason: "must be a whole number")) }
        var maxWait: RelayDuration?
        do {
            maxWait = try RelayDuration(parsing: batch.maxWait.trimmingCharacters(in: .whitespaces))
        } catch {
            errors.append(FieldError(field: "batch.maxWait", reason: error.errors.first?.reason ?? error.detail))
        }
        guard let maxEvents, let maxBytes, let maxWait, errors.isEmpty else { throw .invalid(errors) }
        return .object([
            "maxEvents": .number(Double(maxEvents)), "maxBytes": .number(Double(maxBytes)),
            "maxWait": .string(maxWait.description),
        ])
    }
}
