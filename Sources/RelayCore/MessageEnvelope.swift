import Foundation

/// What a message attempt is about: the facts the request is built from.
public struct MessageEnvelope: Sendable, Equatable {
    /// `msg_…`, stable across retries.
    public var messageID: String
    /// The message's number in its webhook's stream.
    public var sequence: Int64
    /// The attempt number, from 1.
    public var attempt: Int
    public var event: AuditEvent

    public init(messageID: String, sequence: Int64, attempt: Int, event: AuditEvent) {
        self.messageID = messageID
        self.sequence = sequence
        self.attempt = attempt
        self.event = event
    }
}
