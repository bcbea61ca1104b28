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

    /// Records finished attempts and moves their messages on: delivered, failed and expired ones
    /// leave the queue; retrying ones wait for their next time; a `paused` or `disabled` outcome
    /// also stops the webhook (its queue is kept).
    public func record(_ attempts: [AttemptRecord]) async throws {
        guard !attempts.isEmpty else { return }
        let stateChanged = try await write(durable: false) { db in
            try self.insert(attempts, db: db)
        }
        if stateChanged { changes.webhooksChanged() }
    }

    private func insert(_ attempts: [AttemptRecord], db: Database) throws -> Bool {
        let insertAttempt = try db.cachedStatement(
            sql: """
                INSERT INTO attempts (message_id, message_uid, event_id, event_type, webhook_id, webhook_name, attempt,
                    started_at, duration_ms, http_status, error, outcome, next_attempt_at, response_body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let keepPending = try db.cachedStatement(
            sql: "UPDATE messages SET leased = 0, attempts = ?, next_attempt_at = ? WHERE id = ? AND status = 'pending'"
        )
        let finish = try db.cachedStatement(
            sql: """
                UPDATE messages SET leased = 0, attempts = ?, status = ?, finished_at = ?
                WHERE id = ? AND status = 'pending'
                """)
        var finished = 0
        var stateChanged = false
        var health: [String: WebhookHealthChange] = [:]
        for record in attempts {
            let message = record.message
            let decision = record.decision
            try insertAttempt.execute(arguments: [
                message.rowID, message.id, message.event.id, message.event.type, message.webhookID, record.webhookName,
                message.attempt, record.startedAt, record.durationMillis, record.httpStatus, record.error,
                decision.outcome.rawValue, decision.nextAttemptAt, Data(record.responseBody),
            ])
            if decision.keepsMessagePending {
                try keepPending.execute(arguments: [
                    message.attempt, decision.nextAttemptAt ?? record.startedAt, message.rowID,
                ])
            } else {
                try finish.execute(arguments: [
                    message.attempt, decision.outcome.rawValue, record.startedAt + record.durationMillis, message.rowID,
                ])
                finished += db.changesCount
            }
            health[message.webhookID, default: WebhookHealthChange()].add(record)
            if decision.outcome == .paused || decision.outcome == .disabled {
                let state: WebhookState = decision.outcome == .paused ? .paused : .disabled
                try db.execute(
                    sql:
                        "UPDATE webhooks SET state = ?, state_reason = ?, updated_at = ? WHERE id = ? AND state = 'active'",
                    arguments: [state.rawValue, decision.reason, record.startedAt, message.webhookID])
                stateChanged = stateChanged || db.changesCount > 0
            }
        }
        for (webhookID, change) in health { try change.apply(to: webhookID, db: db) }
        tallies.pendingMessages.withLock { $0 -= finished }
        return stateChanged
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

/// The health columns one ``AuditStore/record(_:)`` call changes for a webhook, applied in one
/// statement or two instead of one per attempt.
private struct WebhookHealthChange {
    var lastSuccessAt: Int64?
    var lastFailure: (at: Int64, reason: String)?
    /// Failures after the last success in the call (all of them when none succeeded).
    var failuresSinceSuccess = 0

    mutating func add(_ record: AttemptRecord) {
        if record.decision.outcome == .delivered {
            lastSuccessAt = record.startedAt
            failuresSinceSuccess = 0
        } else {
            let reason = record.error ?? record.httpStatus.map { "HTTP \($0)" } ?? record.decision.outcome.rawValue
            lastFailure = (record.startedAt, reason)
            failuresSinceSuccess += 1
        }
    }

    func apply(to webhookID: String, db: Database) throws {
        if let lastSuccessAt {
            try db.execute(
                sql: "UPDATE webhooks SET last_success_at = ?, consecutive_failures = ? WHERE id = ?",
                arguments: [lastSuccessAt, failuresSinceSuccess, webhookID])
        }
        if let lastFailure {
            let failures = lastSuccessAt == nil ? "consecutive_failures + ?" : "?"
            try db.execute(
                sql: """
                    UPDATE webhooks SET last_failure_at = ?, last_failure_reason = ?,
                        consecutive_failures = \(failures) WHERE id = ?
                    """,
                arguments: [lastFailure.at, lastFailure.reason, failuresSinceSuccess, webhookID])
        }
    }
}
