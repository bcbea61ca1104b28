import Foundation

/// What a verified inbound request says about itself, read as SPEC §12's table says per
/// provider: the delivery id that makes it idempotent, its event type, the sender it came from
/// and the user who acted.
///
/// ```swift
/// let delivery = try InboundDelivery.read(.github, headers: headers, body: body).get()
/// delivery.eventID  // "github:72d3162e-cc78-11e3-81ab-4c9367dc0958"
/// delivery.type     // "github.repository.deleted"
/// ```
public struct InboundDelivery: Sendable, Equatable {
    /// `<provider>:<delivery id>`: a provider's redelivery has the same one.
    public var eventID: String
    public var type: String
    /// The repository, organization, project or site it came from; `nil` when the payload
    /// names none (the source itself is the sender then).
    public var sender: String?
    /// The user who acted, as the payload names them.
    public var actor: String?

    public init(eventID: String, type: String, sender: String?, actor: String?) {
        self.eventID = eventID
        self.type = type
        self.sender = sender
        self.actor = actor
    }

    /// Why a verified request cannot become an event.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// Reads `provider`'s headers (any case) and JSON body. The body must be a JSON object (a
    /// provider set to send form-encoded payloads is refused with the reason).
    public static func read(_ provider: InboundProvider, headers: HeaderFields, body: [UInt8])
        -> Result<InboundDelivery, Refusal>
    {
        guard let payload = try? JSONValue.object(from: body) else {
            return .failure(
                Refusal(description: "the body is not a JSON object: set the webhook's content type to JSON"))
        }
        func required(_ name: String) -> Result<String, Refusal> {
            guard let value = headers[name], !value.isEmpty else {
                return .failure(Refusal(description: "the \(name) header is missing"))
            }
            return .success(value)
        }
        func member(_ path: String...) -> String? {
            var value: JSONValue? = .object(payload)
            for name in path {
                guard case .object(let members)? = value else { return nil }
                value = members[name]
            }
            return value?.string
        }
        func typed(_ name: String?, from source: String) -> Result<String, Refusal> {
            guard let name, !name.isEmpty else {
                return .failure(Refusal(description: "no event type in \(source)"))
            }
            return .success("\(provider.rawValue).\(name)")
        }
        let delivery: Result<(id: String, type: String, sender: String?, actor: String?), Refusal>
        switch provider {
        case .github:
            delivery = required("X-GitHub-Delivery").flatMap { id in
                required("X-GitHub-Event").map { event in
                    let type = member("action").map { "github.\(event).\($0)" } ?? "github.\(event)"
                    return (
                        id, type, member("repository", "full_name") ?? member("organization", "login"),
                        member("sender", "login")
                    )
                }
            }
        case .bitbucket:
            delivery = required("X-Request-UUID").flatMap { id in
                required("X-Event-Key").map { key in
                    (id, "bitbucket.\(key)", member("repository", "full_name"), member("actor", "display_name"))
                }
            }
        case .jira:
            delivery = required("X-Atlassian-Webhook-Identifier").flatMap { id in
                typed(member("webhookEvent"), from: "the body's webhookEvent").map { type in
                    (id, type, site(in: .object(payload)), member("user", "displayName"))
                }
            }
        case .gitlab:
            let id =
                headers["idempotency-key"].flatMap { $0.isEmpty ? nil : $0 }.map(Result.success)
                ?? required("X-Gitlab-Event-UUID")
            delivery = id.flatMap { id in
                typed(member("object_kind"), from: "the body's object_kind").map { type in
                    (id, type, member("project", "path_with_namespace"), member("user_username"))
                }
            }
        case .standard:
            delivery = required("webhook-id").flatMap { id in
                guard let type = member("type"), !type.isEmpty else {
                    return .failure(Refusal(description: "no event type in the body's type"))
                }
                return .success((id, type, nil, nil))
            }
        }
        return delivery.flatMap { id, type, sender, actor in
            let eventID = "\(provider.rawValue):\(id)"
            if let problem = EventRules.idProblem(eventID) {
                return .failure(Refusal(description: "the delivery id \(problem)"))
            }
            if let problem = EventRules.typeProblem(type) {
                return .failure(Refusal(description: "the event type '\(type)' \(problem)"))
            }
            return .success(InboundDelivery(eventID: eventID, type: type, sender: sender, actor: actor))
        }
    }

    /// The Jira site (`https://acme.atlassian.net`) of the first `self` URL in `value`.
    private static func site(in value: JSONValue) -> String? {
        switch value {
        case .object(let members):
            if let link = members["self"]?.string, let site = origin(of: link) { return site }
            return members.keys.sorted().lazy.compactMap { members[$0].flatMap(site(in:)) }.first
        case .array(let items):
            return items.lazy.compactMap(site(in:)).first
        default:
            return nil
        }
    }

    /// `https://host[:port]` of an absolute URL.
    private static func origin(of link: String) -> String? {
        guard let schemeEnd = link.range(of: "://") else { return nil }
        let host = link[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !host.isEmpty, !host.contains("@") else { return nil }
        return String(link[..<schemeEnd.upperBound]) + host
    }

    /// The stored event (SPEC §12): `{"id", "type", "time", "source", "actor", "data"}` with the
    /// payload verbatim as `data`.
    public func eventBody(source: String, receivedAt: Int64, payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(payload.count + 200)
        bytes.append(contentsOf: #"{"id":"#.utf8)
        JSONText.appendQuoted(eventID, to: &bytes)
        bytes.append(contentsOf: #","type":"#.utf8)
        JSONText.appendQuoted(type, to: &bytes)
        bytes.append(contentsOf: #","time":"#.utf8)
        JSONText.appendQuoted(RFC3339.format(millis: receivedAt), to: &bytes)
        bytes.append(contentsOf: #","source":"#.utf8)
        JSONText.appendQuoted(source, to: &bytes)
        bytes.append(contentsOf: #","actor":"#.utf8)
        if let actor { JSONText.appendQuoted(actor, to: &bytes) } else { bytes.append(contentsOf: "null".utf8) }
        bytes.append(contentsOf: #","data":"#.utf8)
        bytes.append(contentsOf: payload)
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }
}
