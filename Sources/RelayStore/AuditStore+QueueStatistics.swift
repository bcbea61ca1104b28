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
                    FROM webhooks w LEFT JOIN messages m ON m.webhook_id = w.id AND m.status = \(MessageStatus.pending.sql)
                    \(filter) GROUP BY w.id ORDER BY w.name
                    """, arguments: StatementArguments(webhookID.map { [$0] } ?? [])
            ).map { row in
                QueueStatistics(
                    webhookID: row["id"], webhookName: row["name"], depth: row["depth"], oldestQueuedAt: row["oldest"])
            }
        }
    }
}

/// How a webhook is doing, as `GET /v1/webhooks/{id}` shows it.
public struct WebhookHealth: Sendable, Equatable {
    public var queueDepth: Int
    /// When the oldest pending message was queued (Unix milliseconds).
    public var oldestPendingAt: Int64?
    public var lastSuccessAt: Int64?
    public var lastFailureAt: Int64?
    public var lastFailureReason: String?
    /// Attempts that did not deliver since the last one that did.
    public var consecutiveFailures: Int

    /// A webhook with no attempts and an empty queue.
    public static let fresh = WebhookHealth(
        queueDepth: 0, oldestPendingAt: nil, lastSuccessAt: nil, lastFailureAt: nil, lastFailureReason: nil,
        consecutiveFailures: 0)
}

extension AuditStore {
    /// Health of every webhook (or one), by webhook id.
    public func webhookHealth(webhookID: String? = nil) async throws -> [String: WebhookHealth] {
        let queues = try await queueStatistics(webhookID: webhookID)
        let rows = try await pool.read { db in
            let filter = webhookID == nil ? "" : "WHERE id = ?"
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT id, last_success_at, last_failure_at, last_failure_reason, consecutive_failures
                    FROM webhooks \(filter)
                    """, arguments: StatementArguments(webhookID.map { [$0] } ?? [])
            ).map { row in
                (
                    id: row["id"] as String, lastSuccessAt: row["last_success_at"] as Int64?,
                    lastFailureAt: row["last_failure_at"] as Int64?, reason: row["last_failure_reason"] as String?,
                    failures: row["consecutive_failures"] as Int
                )
            }
        }
        let depth = Dictionary(queues.map { ($0.webhookID, $0) }, uniquingKeysWith: { first, _ in first })
        return Dictionary(
            rows.map { row in
                (
                    row.id,
                    WebhookHealth(
                        queueDepth: depth[row.id]?.depth ?? 0, oldestPendingAt: depth[row.id]?.oldestQueuedAt,
                        lastSuccessAt: row.lastSuccessAt, lastFailureAt: row.lastFailureAt,
                        lastFailureReason: row.reason, consecutiveFailures: row.failures)
                )
            }, uniquingKeysWith: { first, _ in first })
    }
}
