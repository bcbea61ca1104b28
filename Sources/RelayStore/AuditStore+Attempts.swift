import Foundation
import GRDB
import RelayCore

/// One recorded attempt, as the delivery log shows it (SPEC §7).
public struct AttemptLogEntry: Sendable, Equatable {
    public var id: Int64
    public var messageID: String
    public var eventID: String
    public var eventType: String
    public var webhookID: String
    public var webhookName: String
    public var attempt: Int
    /// Unix milliseconds.
    public var startedAt: Int64
    public var durationMillis: Int64
    public var httpStatus: Int?
    public var error: String?
    public var outcome: AttemptOutcome
    public var nextAttemptAt: Int64?
    public var responseBody: [UInt8]
}

extension AuditStore {
    /// Recorded attempts, newest first, optionally for one webhook.
    public func attempts(webhookID: String? = nil, eventID: String? = nil, limit: Int = 100) async throws
        -> [AttemptLogEntry]
    {
        try await pool.read { db in
            var conditions: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let webhookID {
                conditions.append("webhook_id = ?")
                arguments.append(webhookID)
            }
            if let eventID {
                conditions.append("event_id = ?")
                arguments.append(eventID)
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(
                db, sql: "SELECT * FROM attempts \(filter) ORDER BY id DESC LIMIT ?",
                arguments: StatementArguments(arguments + [limit])
            )
            .map { row in
                AttemptLogEntry(
                    id: row["id"], messageID: row["message_uid"], eventID: row["event_id"],
                    eventType: row["event_type"],
                    webhookID: row["webhook_id"], webhookName: row["webhook_name"], attempt: row["attempt"],
                    startedAt: row["started_at"], durationMillis: row["duration_ms"], httpStatus: row["http_status"],
                    error: row["error"], outcome: AttemptOutcome(rawValue: row["outcome"]) ?? .failed,
                    nextAttemptAt: row["next_attempt_at"],
                    responseBody: Array((row["response_body"] as Data?) ?? Data()))
            }
        }
    }

    /// The message ids and statuses of an event's messages (for tests and `GET /v1/events/{id}`).
    public func messageStatuses(eventID: String) async throws -> [(
        messageID: String, webhookID: String, status: String
    )] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT m.uid, m.webhook_id, m.status FROM messages m JOIN events e ON e.seq = m.event_seq
                    WHERE e.id = ? ORDER BY m.id
                    """, arguments: [eventID]
            ).map { ($0["uid"], $0["webhook_id"], $0["status"]) }
        }
    }

    /// How many events are stored.
    public func eventCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0 }
    }
}
