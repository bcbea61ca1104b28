import Foundation
import GRDB
import RelayCore

/// An event type the relay has seen at ingest.
public struct SeenEventType: Sendable, Equatable {
    public var name: String
    /// Unix milliseconds.
    public var firstSeenAt: Int64
}

/// One message of an event, as `GET /v1/events/{id}` shows it.
public struct MessageSummary: Sendable, Equatable {
    public var id: String
    public var webhookID: String
    public var sequence: Int64
    public var status: MessageStatus
    public var attempts: Int
    /// Unix milliseconds, for pending messages.
    public var nextAttemptAt: Int64?
}

/// A stored event with its messages and attempts.
public struct EventDetail: Sendable {
    public var event: AuditEvent
    /// Unix milliseconds.
    public var receivedAt: Int64
    public var messages: [MessageSummary]
    /// Oldest first.
    public var attempts: [AttemptLogEntry]
}

extension AuditStore {
    /// Every event type seen at ingest, by name.
    public func seenEventTypes() async throws -> [SeenEventType] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, first_seen_at FROM event_types ORDER BY name").map {
                SeenEventType(name: $0["name"], firstSeenAt: $0["first_seen_at"])
            }
        }
    }

    /// The event with `id`, its messages and their attempts; `nil` when unknown.
    public func eventDetail(id: String) async throws -> EventDetail? {
        let attemptRows = try await attempts(eventID: id, limit: 1000).reversed() as [AttemptLogEntry]
        return try await pool.read { db -> EventDetail? in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM events WHERE id = ?", arguments: [id]) else {
                return nil
            }
            let event = AuditEvent(id: row["id"], type: row["type"], occurredAt: row["occurred_at"], body: row["body"])
            let messages = try Row.fetchAll(
                db, sql: "SELECT * FROM messages WHERE event_seq = ? ORDER BY id", arguments: [row["seq"] as Int64]
            ).map { message in
                let status = MessageStatus(rawValue: message["status"]) ?? .pending
                return MessageSummary(
                    id: message["uid"], webhookID: message["webhook_id"], sequence: message["sequence"], status: status,
                    attempts: message["attempts"],
                    nextAttemptAt: status == .pending ? message["next_attempt_at"] : nil)
            }
            return EventDetail(event: event, receivedAt: row["received_at"], messages: messages, attempts: attemptRows)
        }
    }
}
