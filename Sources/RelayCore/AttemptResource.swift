import Foundation

/// One attempt as the API shows it (SPEC §7): one request. A batch also lists every message it
/// carried, each with its own outcome, in `messages`; its top-level message fields show the first
/// of them (or, for a filtered read, the first that matches).
public struct AttemptResource: Codable, Sendable, Equatable {
    /// `att_<number>`; the SSE stream's event id.
    public var id: String
    public var messageId: String
    public var eventId: String
    public var eventType: String
    public var webhookId: String
    public var webhookName: String
    public var attempt: Int
    public var startedAt: String
    public var durationMs: Int64
    @Nullable public var httpStatus: Int?
    @Nullable public var error: String?
    public var outcome: AttemptOutcome
    @Nullable public var nextAttemptAt: String?
    /// The first KiB of the response body, as text.
    public var responseBody: String
    public var messageCount: Int
    /// Every message of a batch; absent for a single message.
    public var messages: [Message]?

    public init(
        id: Int64, messageId: String, eventId: String, eventType: String, webhookId: String, webhookName: String,
        attempt: Int, startedAt: Int64, durationMs: Int64, httpStatus: Int?, error: String?, outcome: AttemptOutcome,
        nextAttemptAt: Int64?, responseBody: String, messageCount: Int, messages: [Message]?
    ) {
        self.id = "att_\(id)"
        self.messageId = messageId
        self.eventId = eventId
        self.eventType = eventType
        self.webhookId = webhookId
        self.webhookName = webhookName
        self.attempt = attempt
        self.startedAt = RFC3339.format(millis: startedAt)
        self.durationMs = durationMs
        self.httpStatus = httpStatus
        self.error = error
        self.outcome = outcome
        self.nextAttemptAt = nextAttemptAt.map(RFC3339.format(millis:))
        self.responseBody = responseBody
        self.messageCount = messageCount
        self.messages = messages
    }

    /// The messages the request carried: a batch's list, or the single message in the same shape.
    public var carriedMessages: [Message] {
        if let messages { return messages }
        var message = Message(
            messageId: messageId, eventId: eventId, eventType: eventType, attempt: attempt, outcome: outcome,
            nextAttemptAt: nil, error: error)
        message.nextAttemptAt = nextAttemptAt
        return [message]
    }

    /// The number of an `att_…` id.
    public static func number(_ id: String) -> Int64? {
        id.hasPrefix("att_") ? Int64(id.dropFirst(4)) : nil
    }

    /// One message of a batch.
    public struct Message: Codable, Sendable, Equatable {
        public var messageId: String
        public var eventId: String
        public var eventType: String
        public var attempt: Int
        public var outcome: AttemptOutcome
        @Nullable public var nextAttemptAt: String?
        @Nullable public var error: String?

        public init(
            messageId: String, eventId: String, eventType: String, attempt: Int, outcome: AttemptOutcome,
            nextAttemptAt: Int64?, error: String?
        ) {
            self.messageId = messageId
            self.eventId = eventId
            self.eventType = eventType
            self.attempt = attempt
            self.outcome = outcome
            self.nextAttemptAt = nextAttemptAt.map(RFC3339.format(millis:))
            self.error = error
        }
    }
}

/// `GET /v1/deliveries`: newest first; `nextCursor` fetches the next page.
public struct DeliveryPage: Codable, Sendable, Equatable {
    public var deliveries: [AttemptResource]
    @Nullable public var nextCursor: String?

    public init(deliveries: [AttemptResource], nextCursor: String?) {
        self.deliveries = deliveries
        self.nextCursor = nextCursor
    }
}
