import Foundation
import GRDB
import RelayCore
import Synchronization

extension AuditStore {
    /// Claims up to `limit` due messages of one webhook, oldest due first, and only while the
    /// webhook is active. A claimed message is held in memory (``InFlightMessages``) until its
    /// attempt is recorded or it is released; the claim itself writes nothing, so it runs on a
    /// reader beside the writer. A crash simply drops the holds: every pending message is due
    /// again at the next start.
    public func claimDue(webhookID: String, limit: Int, now: Int64) async throws -> [QueuedMessage] {
        guard limit > 0 else { return [] }
        let token = inFlight.beginClaim()
        let candidates: [QueuedMessage]
        do {
            candidates = try await pool.read { db in
                let skip = self.inFlight.excluded(since: token)
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id, uid, event_seq, sequence, attempts, created_at FROM messages
                        WHERE webhook_id = ? AND status = 'pending' AND next_attempt_at <= ?
                        AND EXISTS (SELECT 1 FROM webhooks WHERE id = ? AND state = 'active')
                        ORDER BY next_attempt_at, id LIMIT ?
                        """,
                    arguments: [webhookID, now, webhookID, limit + skip.count]
                ).filter { !skip.contains($0[0]) }.prefix(limit)
                guard !rows.isEmpty else { return [] }
                var events: [Int64: AuditEvent] = [:]
                for chunk in rows.map({ $0[2] as Int64 }).chunks(of: Self.inListLimit) {
                    for row in try Row.fetchAll(
                        db,
                        sql:
                            "SELECT seq, id, type, occurred_at, body FROM events WHERE seq IN (\(placeholders(chunk.count)))",
                        arguments: StatementArguments(chunk))
                    {
                        events[row[0]] = AuditEvent(id: row[1], type: row[2], occurredAt: row[3], body: row[4])
                    }
                }
                // Columns by position (as the SELECT lists name them): a name lookup per value
                // showed up in profiles of busy lanes.
                return rows.compactMap { row -> QueuedMessage? in
                    guard let event = events[row[2]] else { return nil }
                    return QueuedMessage(
                        rowID: row[0], id: row[1], webhookID: webhookID, sequence: row[3],
                        attempt: (row[4] as Int) + 1, createdAt: row[5], event: event, eventRowID: row[2])
                }
            }
        } catch {
            inFlight.cancelClaim(token)
            throw error
        }
        let taken = Set(inFlight.finishClaim(token, candidates: candidates.map(\.rowID), limit: limit))
        return candidates.filter { taken.contains($0.rowID) }.sorted { $0.sequence < $1.sequence }
    }

    /// Gives claimed messages back to the queue, due at `now`, without counting an attempt (used
    /// when an attempt was cut off by shutdown). They are let go even when the write fails: they
    /// are still pending, so they are due again either way.
    public func release(_ messages: [QueuedMessage], now: Int64) async throws {
        guard !messages.isEmpty else { return }
        let rowIDs = messages.map(\.rowID)
        defer { forget(messages) }
        try await write(durable: false) { db in
            for chunk in rowIDs.chunks(of: Self.inListLimit) {
                try db.execute(
                    sql:
                        "UPDATE messages SET next_attempt_at = ? WHERE id IN (\(placeholders(chunk.count)))",
                    arguments: StatementArguments([now] + Array(chunk)))
            }
        }
    }

    /// Lets go of claimed messages without writing anything, so they can be claimed again (their
    /// attempt could not be recorded: they will be sent again).
    public func forget(_ messages: [QueuedMessage]) {
        inFlight.finish(messages.map(\.rowID))
        changes.queued(for: Set(messages.map(\.webhookID)))
        changes.webhooksChanged()
    }

    /// Most values in one `IN (…)` list (SQLite allows 32,766 parameters in a statement).
    static let inListLimit = 1000

    /// Makes every message an earlier version of the relay leased in the store due at once (those
    /// versions wrote leases; this one keeps them in memory). Run at start.
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

    /// How many unclaimed messages of the webhook are due at `now` (counting at most `limit`),
    /// and since when the oldest of them has been due: what a batching lane needs to decide
    /// whether to send a batch that is not full yet.
    public func dueMessages(webhookID: String, now: Int64, limit: Int) async throws -> DueMessages {
        let held = inFlight.excludedCount
        return try await pool.read { db in
            let claimed = self.inFlight.claimed
            let due = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, next_attempt_at FROM messages
                    WHERE webhook_id = ? AND status = 'pending' AND next_attempt_at <= ?
                    AND EXISTS (SELECT 1 FROM webhooks WHERE id = ? AND state = 'active')
                    ORDER BY next_attempt_at, id LIMIT ?
                    """,
                arguments: [webhookID, now, webhookID, limit + held]
            ).filter { !claimed.contains($0[0]) }.prefix(limit)
            return DueMessages(count: due.count, oldestDueAt: due.first.map { $0[1] })
        }
    }

    /// The earliest time a pending message of the webhook that is not claimed now is due, if any.
    public func nextDueTime(webhookID: String) async throws -> Int64? {
        let held = inFlight.excludedCount
        return try await pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, next_attempt_at FROM messages WHERE webhook_id = ? AND status = 'pending'
                    AND EXISTS (SELECT 1 FROM webhooks WHERE id = ? AND state = 'active')
                    ORDER BY next_attempt_at, id LIMIT ?
                    """,
                arguments: [webhookID, webhookID, held + 1])
            let claimed = self.inFlight.claimed
            return rows.first { !claimed.contains($0[0]) }.map { $0[1] }
        }
    }
}

extension Array {
    /// The array in consecutive slices of at most `size` elements.
    func chunks(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

/// `?, ?, ?` for an `IN (…)` list of `count` values.
func placeholders(_ count: Int) -> String {
    Array(repeating: "?", count: count).joined(separator: ", ")
}
