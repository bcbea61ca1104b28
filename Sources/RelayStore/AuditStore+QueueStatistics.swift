import Foundation
import GRDB
import RelayCore

/// The queue of one webhook, for metrics and health.
public struct QueueStatistics: Sendable, Equatable {
    public var webhookID: String
    public var webhookName: String
    /// Pending messages.
    public var depth: Int
    /// When the oldest pending message was queued (Unix milliseconds).
    public var oldestQueuedAt: Int64?
}

extension AuditStore {
    /// Pending messages per webhook (every webhook, also those with an empty queue).
    public func queueStatistics(webhookID: String? = nil) async throws -> [QueueStatistics] {
        try await pool.read { db in
            let filter = webhookID == nil ? "" : "WHERE w.id = ?"
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT w.id, w.name, COUNT(m.id) AS depth, MIN(m.created_at) AS oldest
                    FROM webhooks w LEFT JOIN messages m ON m.webhook_id = w.id AND m.status = 'pending'
                    \(filter) GROUP BY w.id ORDER BY w.name
                    """, arguments: StatementArguments(webhookID.map { [$0] } ?? [])
            ).map { row in
                QueueStatistics(
                    webhookID: row["id"], webhookName: row["name"], depth: row["depth"], oldestQueuedAt: row["oldest"])
            }
        }
    }
}
