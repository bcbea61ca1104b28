import Foundation

/// One entry of the event-type catalogue: declared in the configuration, seen in an event, or both.
public struct EventTypeResource: Codable, Sendable, Equatable {
    public var name: String
    /// From the configuration's `eventTypes`; absent otherwise.
    public var description: String?
    /// When an event of this type was first ingested; absent if never.
    public var firstSeenAt: String?

    public init(name: String, description: String?, firstSeenAt: String?) {
        self.name = name
        self.description = description
        self.firstSeenAt = firstSeenAt
    }
}

/// `GET /v1/event-types`, sorted by name.
public struct EventTypeList: Codable, Sendable, Equatable {
    public var eventTypes: [EventTypeResource]

    public init(eventTypes: [EventTypeResource]) {
        self.eventTypes = eventTypes
    }
}

/// One delivery of an event to one webhook.
public struct MessageResource: Codable, Sendable, Equatable {
    public var id: String
    public var webhookId: String
    /// The message's number in its webhook's stream (`X-AuditRelay-Sequence`).
    public var sequence: Int64
    public var status: MessageStatus
    public var attempts: Int
    /// Absent when no attempt is due.
    public var nextAttemptAt: String?

    public init(
        id: String, webhookId: String, sequence: Int64, status: MessageStatus, attempts: Int, nextAttemptAt: Int64?
    ) {
        self.id = id
        self.webhookId = webhookId
        self.sequence = sequence
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt.map(RFC3339.format(millis:))
    }
}

/// `GET /v1/events/{id}`: the event exactly as stored, its messages and their attempts (oldest first).
public struct EventDetailResource: Codable, Sendable, Equatable {
    public var event: JSONValue
    public var receivedAt: String
    public var messages: [MessageResource]
    public var attempts: [AttemptResource]

    public init(event: JSONValue, receivedAt: String, messages: [MessageResource], attempts: [AttemptResource]) {
        self.event = event
        self.receivedAt = receivedAt
        self.messages = messages
        self.attempts = attempts
    }
}
