import Foundation
import GRDB
import RelayCore
import Synchronization

extension AuditStore {
    /// Records finished attempts and moves their messages on: delivered, failed and expired ones
    /// leave the queue; retrying ones wait for their next time; a `paused` or `disabled` outcome
    /// also stops the webhook (its queue is kept).
    ///
    /// A batch's attempts are written with a few multi-row statements rather than one statement
    /// per attempt: at 100,000 deliveries a second the per-statement cost is what the writer spends.
    public func record(_ attempts: [AttemptRecord]) async throws {
        guard !attempts.isEmpty else { return }
        let stateChanged = try await write(durable: false) { db in
            try Self.insertAttempts(attempts, db: db)
            let finished = try Self.moveMessages(attempts, db: db)
            self.tallies.pendingMessages.withLock { $0 -= finished }
            return try Self.updateWebhooks(attempts, db: db)
        }
        inFlight.finish(attempts.map(\.message.rowID))
        if stateChanged { changes.webhooksChanged() }
    }

    /// Most rows in one `INSERT` (14 values each, well under SQLite's 32,766 parameters).
    private static let insertChunk = 64

    private static func insertAttempts(_ attempts: [AttemptRecord], db: Database) throws {
        var start = 0
        while start < attempts.count {
            let chunk = attempts[start..<min(start + insertChunk, attempts.count)]
            let rows = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: chunk.count)
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO attempts (message_id, message_uid, event_id, event_type, webhook_id, webhook_name,
                        attempt, started_at, duration_ms, http_status, error, outcome, next_attempt_at, response_body)
                    VALUES \(rows.joined(separator: ", "))
                    """)
            var values: [(any DatabaseValueConvertible)?] = []
            values.reserveCapacity(chunk.count * 14)
            for record in chunk {
                let message = record.message
                values += [
                    message.rowID, message.id, message.event.id, message.event.type, message.webhookID,
                    record.webhookName, message.attempt, record.startedAt, record.durationMillis, record.httpStatus,
                    record.error, record.decision.outcome.rawValue, record.decision.nextAttemptAt,
                    Data(record.responseBody),
                ]
            }
            try statement.execute(arguments: StatementArguments(values))
            start += chunk.count
        }
    }

    /// Finishes or reschedules the attempts' messages; returns how many left the queue.
    private static func moveMessages(_ attempts: [AttemptRecord], db: Database) throws -> Int {
        struct Finish: Hashable {
            var attempt: Int
            var status: String
            var finishedAt: Int64
        }
        var finishing: [Finish: [Int64]] = [:]
        let keepPending = try db.cachedStatement(
            sql: "UPDATE messages SET attempts = ?, next_attempt_at = ? WHERE id = ? AND status = 'pending'"
        )
        for record in attempts {
            let message = record.message
            if record.decision.keepsMessagePending {
                try keepPending.execute(arguments: [
                    message.attempt, record.decision.nextAttemptAt ?? record.startedAt, message.rowID,
                ])
            } else {
                let key = Finish(
                    attempt: message.attempt, status: record.decision.outcome.rawValue,
                    finishedAt: record.startedAt + record.durationMillis)
                finishing[key, default: []].append(message.rowID)
            }
        }
        var finished = 0
        for (key, rowIDs) in finishing {
            for chunk in rowIDs.chunks(of: inListLimit) {
                try db.execute(
                    sql: """
                        UPDATE messages SET attempts = ?, status = ?, finished_at = ?
                        WHERE status = 'pending' AND id IN (\(placeholders(chunk.count)))
                        """,
                    arguments: StatementArguments(
                        [key.attempt, key.status, key.finishedAt] as [any DatabaseValueConvertible] + Array(chunk)))
                finished += db.changesCount
            }
        }
        return finished
    }

    /// Health columns, and the state of webhooks a `paused` or `disabled` outcome stops. Returns
    /// whether a webhook's state changed.
    private static func updateWebhooks(_ attempts: [AttemptRecord], db: Database) throws -> Bool {
        var health: [String: WebhookHealthChange] = [:]
        var stateChanged = false
        for record in attempts {
            let decision = record.decision
            health[record.message.webhookID, default: WebhookHealthChange()].add(record)
            guard decision.outcome == .paused || decision.outcome == .disabled else { continue }
            let state: WebhookState = decision.outcome == .paused ? .paused : .disabled
            try db.execute(
                sql:
                    "UPDATE webhooks SET state = ?, state_reason = ?, updated_at = ? WHERE id = ? AND state = 'active'",
                arguments: [state.rawValue, decision.reason, record.startedAt, record.message.webhookID])
            stateChanged = stateChanged || db.changesCount > 0
        }
        for (webhookID, change) in health { try change.apply(to: webhookID, db: db) }
        return stateChanged
    }
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
