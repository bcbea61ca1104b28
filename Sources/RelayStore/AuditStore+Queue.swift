import Foundation
import GRDB
import RelayCore
import Synchronization

extension AuditStore {
    /// Leases up to `limit` due messages of one webhook, oldest due first, and only while the
    /// webhook is active. A leased message is not due again until `leaseUntil`, so a crash simply
    /// lets the lease run out.
    public func claimDue(webhookID: String, limit: Int, now: Int64, leaseUntil: Int64) async throws -> [QueuedMessage] {
        guard limit > 0 else { return [] }
        return try await write(durable: false) { db in
            let claimed = try Row.fetchAll(
                db,
                sql: """
                    UPDATE messages SET leased = 1, next_attempt_at = ?
                    WHERE id IN (
                        SELECT id FROM messages
                        WHERE webhook_id = ? AND status = 'pending' AND next_attempt_at <= ?
                        AND EXISTS (SELECT 1 FROM webhooks WHERE id = ? AND state = 'active')
                        ORDER BY next_attempt_at, id LIMIT ?)
                    RETURNING id, uid, event_seq, sequence, attempts, created_at
                    """,
                arguments: [leaseUntil, webhookID, now, webhookID, limit])
            guard !claimed.isEmpty else { return [] }
            let eventSeqs = claimed.map { $0[2] as Int64 }
            let events = try Row.fetchAll(
                db,
                sql:
                    "SELECT seq, id, type, occurred_at, body FROM events WHERE seq IN (\(placeholders(eventSeqs.count)))",
                arguments: StatementArguments(eventSeqs)
            ).reduce(into: [Int64: AuditEvent]()) { events, row in
                events[row[0]] = AuditEvent(id: row[1], type: row[2], occurredAt: row[3], body: row[4])
            }
            // Columns by position (as the RETURNING and SELECT lists name them): a name lookup per
            // value showed up in profiles of busy lanes.
            return claimed.compactMap { row -> QueuedMessage? in
                guard let event = events[row[2]] else { return nil }
                return QueuedMessage(
                    rowID: row[0], id: row[1], webhookID: webhookID, sequence: row[3], attempt: (row[4] as Int) + 1,
                    createdAt: row[5], event: event)
            }.sorted { $0.sequence < $1.sequence }
        }
    }

    /// Gives leased messages back to the queue, due at `now`, without counting an attempt (used
    /// when an attempt was cut off by shutdown).
    public func release(_ messages: [QueuedMessage], now: Int64) async throws {
        guard !messages.isEmpty else { return }
        let rowIDs = messages.map(\.rowID)
        try await write(durable: false) { db in
            try db.execute(
                sql: "UPDATE messages SET leased = 0, next_attempt_at = ? WHERE id IN (\(placeholders(rowIDs.count)))",
                arguments: StatementArguments([now] + rowIDs))
        }
        changes.queued(for: Set(messages.map(\.webhookID)))
    }

    /// Makes every leased message due at once. Run at start: a lease left in the store belongs to
    /// a process that is gone (one relay process per store).
    public func releaseAllLeases(now: Int64) async throws -> Int {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE messages SET leased = 0, next_attempt_at = MIN(next_attempt_at, ?)
                    WHERE status = 'pending' AND leased = 1
                    """,
                arguments: [now])
            return db.changesCount
        }
    }

    /// How many messages of the webhook are due at `now` (counting at most `limit`), and since
    /// when the oldest of them has been due: what a batching lane needs to decide whether to send
    /// a batch that is not full yet.
    public func dueMessages(webhookID: String, now: Int64, limit: Int) async throws -> DueMessages {
        try await pool.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS count, MIN(next_attempt_at) AS oldest FROM (
                        SELECT next_attempt_at FROM messages
                        WHERE webhook_id = ? AND status = 'pending' AND next_attempt_at <= ?
                        ORDER BY next_attempt_at LIMIT ?)
                    """,
                arguments: [webhookID, now, limit])
            return DueMessages(count: row?["count"] ?? 0, oldestDueAt: row?["oldest"])
        }
    }

    /// The earliest time a pending message of the webhook is due (leases included), if any.
    public func nextDueTime(webhookID: String) async throws -> Int64? {
        try await pool.read { db in
            try Int64.fetchOne(
                db, sql: "SELECT MIN(next_attempt_at) FROM messages WHERE webhook_id = ? AND status = 'pending'",
                arguments: [webhookID])
        }
    }
}

/// `?, ?, ?` for an `IN (…)` list of `count` values.
func placeholders(_ count: Int) -> String {
    Array(repeating: "?", count: count).joined(separator: ", ")
}
