import Foundation
import RelayCore

/// A message claimed for delivery: one event bound for one webhook, leased to this process.
public struct QueuedMessage: Sendable, Equatable {
    /// Internal row id.
    public var rowID: Int64
    /// `msg_…`, stable across retries (`webhook-id`).
    public var id: String
    public var webhookID: String
    /// The message's number in its webhook's stream.
    public var sequence: Int64
    /// The number of the attempt about to be made, from 1.
    public var attempt: Int
    /// When the message was queued (Unix milliseconds).
    public var createdAt: Int64
    public var event: AuditEvent
}

/// The record of one delivery attempt (SPEC §7), written when the attempt ends.
public struct AttemptRecord: Sendable, Equatable {
    public var message: QueuedMessage
    public var webhookName: String
    /// Unix milliseconds.
    public var startedAt: Int64
    public var durationMillis: Int64
    /// The HTTP status, when the destination answered.
    public var httpStatus: Int?
    /// What went wrong without an HTTP answer, or why the message or webhook stopped.
    public var error: String?
    public var decision: AttemptDecision
    /// The first 1 KiB of the response body.
    public let responseBody: [UInt8]

    /// Longest response-body prefix kept.
    public static let responseBodyLimit = 1024

    public init(
        message: QueuedMessage, webhookName: String, startedAt: Int64, durationMillis: Int64, httpStatus: Int?,
        error: String?, decision: AttemptDecision, responseBody: [UInt8]
    ) {
        self.message = message
        self.webhookName = webhookName
        self.startedAt = startedAt
        self.durationMillis = durationMillis
        self.httpStatus = httpStatus
        self.error = error
        self.decision = decision
        self.responseBody = Array(responseBody.prefix(Self.responseBodyLimit))
    }
}

/// The due part of one webhook's queue (``AuditStore/dueMessages(webhookID:now:limit:)``).
public struct DueMessages: Sendable, Equatable {
    /// Due messages, counted up to the limit asked for.
    public var count: Int
    /// Unix milliseconds since which the oldest due message has been due.
    public var oldestDueAt: Int64?
}
