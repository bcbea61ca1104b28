import Foundation
import RelayCore

/// A message claimed for delivery: one event bound for one webhook, held by this process until its attempt is recorded.
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
    /// Internal row id of the event.
    var eventRowID: Int64
}
