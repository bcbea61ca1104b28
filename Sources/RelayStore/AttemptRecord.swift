import Foundation
import RelayCore

/// The record of one request's attempt (SPEC §7), written when the request ends: the
/// destination's answer once, and what it means for each message the request carried.
///
/// A request of several messages (a batch) is one record that names every message; the delivery
/// log shows it as one entry with its messages listed (docs/destinations.md).
public struct AttemptRecord: Sendable, Equatable {
    public var webhookName: String
    /// Unix milliseconds.
    public var startedAt: Int64
    public var durationMillis: Int64
    /// The HTTP status, when the destination answered.
    public var httpStatus: Int?
    /// The first 1 KiB of the response body.
    public let responseBody: [UInt8]
    /// The messages the request carried, in the order sent, each with its outcome.
    public var messages: [MessageOutcome]

    /// Longest response-body prefix kept.
    public static let responseBodyLimit = 1024

    public init(
        webhookName: String, startedAt: Int64, durationMillis: Int64, httpStatus: Int?, responseBody: [UInt8],
        messages: [MessageOutcome]
    ) {
        self.webhookName = webhookName
        self.startedAt = startedAt
        self.durationMillis = durationMillis
        self.httpStatus = httpStatus
        self.responseBody = Array(responseBody.prefix(Self.responseBodyLimit))
        self.messages = messages
    }

    /// Whether a message of the request is still pending (a retry is due later, or the webhook stopped).
    public var keepsAMessagePending: Bool {
        messages.indices.contains { messages[$0].decision.keepsMessagePending }
    }

    /// Calls `body` with each message's outcome in order, without copying it: a copy retains five
    /// strings and buffers, and a busy writer goes through 100,000 outcomes a second several times.
    func forEachOutcome(_ body: (borrowing MessageOutcome) throws -> Void) rethrows {
        for index in messages.indices { try body(messages[index]) }
    }

    /// The row ids of the request's messages.
    var rowIDs: [Int64] { messages.indices.map { messages[$0].message.rowID } }
}

/// What one attempt decided for one message of a request.
public struct MessageOutcome: Sendable, Equatable {
    public var message: QueuedMessage
    public var decision: AttemptDecision
    /// What went wrong without an HTTP answer, or why the message or webhook stopped.
    public var error: String?

    public init(message: QueuedMessage, decision: AttemptDecision, error: String?) {
        self.message = message
        self.decision = decision
        self.error = error
    }
}
