import Foundation

/// One of the relay's own audit events (SPEC §13): who changed what, and how, stored and
/// delivered like any other event. It names the fields that changed, never their values, so no
/// secret, token, authorization value or Slack URL is ever in one.
///
/// ```swift
/// let event = RelayAuditEvent(.webhookUpdated, by: origin, target: .webhook(after), changes: after.changedFields(since: before))
/// store.insert(event.stored(at: now))
/// ```
public struct RelayAuditEvent: Sendable, Equatable {
    /// What was changed: `{"kind": "webhook", "id", "name"}`, a source, or the page's session.
    public struct Target: Sendable, Equatable {
        public var kind: String
        public var id: String?
        public var name: String?

        public init(kind: String, id: String? = nil, name: String? = nil) {
            self.kind = kind
            self.id = id
            self.name = name
        }

        /// A webhook, by id and name.
        public static func webhook(_ webhook: Webhook) -> Target {
            Target(kind: "webhook", id: webhook.id, name: webhook.name)
        }

        /// An inbound source, by id and name.
        public static func source(_ source: Source) -> Target {
            Target(kind: "source", id: source.id, name: source.name)
        }

        /// The settings page's session (sign-in and sign-out).
        public static let session = Target(kind: "session")
    }

    /// A source's secret status before and after a change the relay made.
    public struct StatusChange: Sendable, Equatable {
        public var from: SourceSecrets.Status
        public var to: SourceSecrets.Status
    }

    public var type: RelayEventType
    public var origin: ChangeOrigin
    public var target: Target
    /// The API names of the fields that changed (`["events", "secrets"]`).
    public var changes: [String]
    /// Why the relay paused or disabled a webhook, or why a source's status changed.
    public var reason: String?
    /// A source's status change.
    public var status: StatusChange?

    public init(
        _ type: RelayEventType, by origin: ChangeOrigin, target: Target, changes: [String] = [],
        reason: String? = nil, status: StatusChange? = nil
    ) {
        self.type = type
        self.origin = origin
        self.target = target
        self.changes = changes
        self.reason = reason
        self.status = status
    }

    /// The relay's record of a source's status changing by itself — a verified request, a grace
    /// that ended — or `nil` when it did not change.
    public static func statusChange(of source: Source, from before: SourceSecrets.Status) -> RelayAuditEvent? {
        guard source.secrets.status != before else { return nil }
        return RelayAuditEvent(
            .sourceStatusChanged, by: .relay, target: .source(source), changes: ["status"],
            reason: source.secrets.reason, status: StatusChange(from: before, to: source.secrets.status))
    }

    /// The record of an operator's resume of `webhook`, or `nil` when it was active already: such
    /// a resume only makes waiting retries due now and changes no field, so, like any change that
    /// changes nothing, it records nothing.
    public static func resumption(
        of webhook: Webhook, from before: WebhookState, by origin: ChangeOrigin
    ) -> RelayAuditEvent? {
        guard before != .active else { return nil }
        return RelayAuditEvent(.webhookResumed, by: origin, target: .webhook(webhook), changes: ["state"])
    }

    /// The event as stored at `now`: `{"id", "type", "time", "source": "auditrelay", "actor",
    /// "target", "changes", "client", …}`, members in that order.
    public func stored(at now: Int64, id: String? = nil) -> AuditEvent {
        let eventID = id ?? Identifier.make(prefix: "evt_", millis: now)
        var members = [
            ("id", JSONText.quoted(eventID)), ("type", JSONText.quoted(type.rawValue)),
            ("time", JSONText.quoted(RFC3339.format(millis: now))), ("source", #""auditrelay""#),
            ("actor", Self.object(Self.members(of: origin.actor))),
            ("target", Self.object([("kind", target.kind), ("id", target.id), ("name", target.name)])),
            ("changes", "[" + changes.map(JSONText.quoted).joined(separator: ",") + "]"),
        ]
        if let address = origin.clientAddress { members.append(("client", Self.object([("address", address)]))) }
        if let reason { members.append(("reason", JSONText.quoted(reason))) }
        if let status {
            members.append(("status", Self.object([("from", status.from.rawValue), ("to", status.to.rawValue)])))
        }
        let body = "{" + members.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        return AuditEvent(id: eventID, type: type.rawValue, occurredAt: now, body: Data(body.utf8))
    }

    private static func members(of actor: ChangeOrigin.Actor) -> [(String, String?)] {
        switch actor {
        case .token(let fingerprint): [("kind", "token"), ("id", fingerprint)]
        case .session(let fingerprint): [("kind", "session"), ("id", fingerprint)]
        case .relay: [("kind", "relay")]
        case .config: [("kind", "config")]
        case .anonymous: [("kind", "anonymous")]
        }
    }

    /// A JSON object of string members, those without a value left out.
    private static func object(_ members: [(String, String?)]) -> String {
        let written = members.compactMap { name, value in value.map { "\"\(name)\":\(JSONText.quoted($0))" } }
        return "{" + written.joined(separator: ",") + "}"
    }
}
