import Foundation

/// An audit event as the relay stores and delivers it.
///
/// `body` is the JSON object exactly as the sender wrote it; when the sender left out `id` or
/// `time`, the relay's values are inserted as the object's first members and nothing else changes.
public struct AuditEvent: Sendable, Equatable {
    /// The idempotency key: the sender's `id`, or one the relay made (`evt_…`).
    public var id: String
    /// The event type, e.g. `user.login`.
    public var type: String
    /// When the event happened, in Unix milliseconds (`time`, or the time of receipt).
    public var occurredAt: Int64
    /// The stored JSON object.
    public var body: Data

    public init(id: String, type: String, occurredAt: Int64, body: Data) {
        self.id = id
        self.type = type
        self.occurredAt = occurredAt
        self.body = body
    }
}

/// One event read from an ingest request, before the relay gives it an id or time.
public struct IncomingEvent: Sendable, Equatable {
    /// The sender's `id`, if any.
    public var id: String?
    /// The validated `type`.
    public var type: String
    /// The sender's `time`, if any, in Unix milliseconds.
    public var occurredAt: Int64?
    /// The object's bytes as sent (surrounding whitespace removed).
    public var object: [UInt8]

    public init(id: String?, type: String, occurredAt: Int64?, object: [UInt8]) {
        self.id = id
        self.type = type
        self.occurredAt = occurredAt
        self.object = object
    }

    /// The event as stored: the sender's id and time, or new ones inserted into the object.
    ///
    /// ```swift
    /// incoming.stored(receivedAt: WallClock.nowMillis())
    /// ```
    public func stored(receivedAt: Int64, makeID: (Int64) -> String = { Identifier.make(prefix: "evt_", millis: $0) })
        -> AuditEvent
    {
        var inserted: [String] = []
        let eventID = id ?? makeID(receivedAt)
        if id == nil { inserted.append("\"id\":\"\(eventID)\"") }
        if occurredAt == nil { inserted.append("\"time\":\"\(RFC3339.format(millis: receivedAt))\"") }
        guard !inserted.isEmpty else {
            return AuditEvent(id: eventID, type: type, occurredAt: occurredAt ?? receivedAt, body: Data(object))
        }
        var body = Data(capacity: object.count + 80)
        body.append(UInt8(ascii: "{"))
        body.append(contentsOf: Array(inserted.joined(separator: ",").utf8))
        let rest = object[1...]
        let isEmptyObject = rest.first(where: { !JSONArraySplitter.isWhitespace($0) }) == UInt8(ascii: "}")
        if !isEmptyObject { body.append(UInt8(ascii: ",")) }
        body.append(contentsOf: rest)
        return AuditEvent(id: eventID, type: type, occurredAt: occurredAt ?? receivedAt, body: body)
    }
}

/// The rules for the members of an event the relay reads: `type`, `id` and `time`.
public enum EventRules {
    /// Why `type` is not a valid event type, or `nil` when it is.
    public static func typeProblem(_ type: String) -> String? {
        let count = type.unicodeScalars.count
        guard (1...200).contains(count) else { return "must be 1 to 200 characters" }
        let allowed = type.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "A"..."Z", "a"..."z", "0"..."9", ".", "_", ":", "/", "-": true
            default: false
            }
        }
        return allowed ? nil : "may contain only letters, digits and . _ : / -"
    }

    /// The prefix of the relay's own event types (SPEC §13).
    public static let ownPrefix = "auditrelay."

    /// Why `type` may not be sent to the relay, or `nil` when it may: not a valid type, or one of
    /// the relay's own (any case), which no sender may forge.
    public static func sentTypeProblem(_ type: String) -> String? {
        if let problem = typeProblem(type) { return problem }
        // Compared byte by byte, with no lower-cased copy per event: in a valid type only the
        // letters A–Z become another allowed byte when 0x20 is set, and they become their own
        // lower case.
        let prefix = ownPrefix.utf8
        let isOwn = type.utf8.count >= prefix.count && zip(type.utf8, prefix).allSatisfy { $0 | 0x20 == $1 }
        return isOwn ? "the \(ownPrefix) prefix is kept for the relay's own events" : nil
    }

    /// Why `id` is not a valid event id, or `nil` when it is.
    public static func idProblem(_ id: String) -> String? {
        let count = id.unicodeScalars.count
        guard (1...200).contains(count) else { return "must be 1 to 200 characters" }
        let printable = id.unicodeScalars.allSatisfy { !$0.properties.generalCategory.isControl }
        return printable ? nil : "must contain only printable characters"
    }
}

extension Unicode.GeneralCategory {
    fileprivate var isControl: Bool {
        switch self {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned, .privateUse: true
        default: false
        }
    }
}
