import Foundation
import GRDB
import RelayCore
import Synchronization

extension AuditStore {
    /// Records finished requests and moves their messages on: delivered, failed and expired ones
    /// leave the queue; retrying ones wait for their next time; a `paused` or `disabled` outcome
    /// also stops the webhook (its queue is kept).
    ///
    /// Each request is one attempt row (a batch lists its messages in `members`) and one
    /// `attempt_events` link per message; rows go in with a few multi-row statements rather than
    /// one statement each: at 100,000 deliveries a second the per-row cost is what the writer spends.
    public func record(_ attempts: [AttemptRecord]) async throws {
        let attempts = attempts.filter { !$0.messages.isEmpty }
        guard !attempts.isEmpty else { return }
        let (stopped, queuedFor) = try await write(durable: false) { db -> (Bool, Set<String>) in
            try Self.insertAttempts(attempts, db: db)
            let finished = try Self.moveMessages(attempts, db: db)
            let stopped = try Self.updateWebhooks(attempts, db: db)
            let queuedFor = try stopped.reduce(into: Set<String>()) { $0.formUnion(try self.insert($1, db: db)) }
            // Last: a write that fails above is undone by its savepoint and leaves the count as
            // it was (a failed commit reloads it).
            self.tallies.pendingMessages.withLock { $0 -= finished }
            return (!stopped.isEmpty, queuedFor)
        }
        inFlight.finish(attempts.flatMap(\.rowIDs))
        if stopped { changes.webhooksChanged() }
        announce(queuedFor)
    }

    /// Most attempt rows in one `INSERT` (16 values each, well under SQLite's 32,766 parameters).
    private static let insertChunk = 64

    /// Most `attempt_events` links in one `INSERT` (2 values each; a power of two, see
    /// ``padded(_:width:)``).
    private static let linkChunk = 1024

    private static func insertAttempts(_ attempts: [AttemptRecord], db: Database) throws {
        // Ids are given here, so that each message can be linked to its request's row.
        var nextID = (try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(id) FROM attempts")) ?? 0) + 1
        var links: [Int64] = []
        for chunk in attempts.chunks(of: insertChunk) {
            let rows = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: chunk.count)
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO attempts (id, message_id, message_uid, event_id, event_type, webhook_id,
                        webhook_name, attempt, started_at, duration_ms, http_status, error, outcome,
                        next_attempt_at, response_body, members)
                    VALUES \(rows.joined(separator: ", "))
                    """)
            var row = DirectBindings(statement)
            for record in chunk {
                // The row's own columns describe the first message; a batch lists all of them.
                let first = record.messages[0]
                let message = first.message
                row.bind(nextID)
                row.bind(message.rowID)
                row.bind(message.id)
                row.bind(message.event.id)
                row.bind(message.event.type)
                row.bind(message.webhookID)
                row.bind(record.webhookName)
                row.bind(message.attempt)
                row.bind(record.startedAt)
                row.bind(record.durationMillis)
                row.bind(record.httpStatus)
                row.bind(first.error)
                row.bind(first.decision.outcome.rawValue)
                row.bind(first.decision.nextAttemptAt)
                row.bind(record.responseBody)
                row.bind(record.messages.count > 1 ? members(of: record) : nil)
                record.forEachOutcome { outcome in
                    links.append(outcome.message.eventRowID)
                    links.append(nextID)
                }
                nextID += 1
            }
            try row.execute()
        }
        for chunk in links.chunks(of: linkChunk * 2) {
            let values = padded(chunk, width: 2)
            let statement = try db.cachedStatement(
                sql:
                    "INSERT OR IGNORE INTO attempt_events (event_seq, attempt_id) VALUES \(placeholderPairs(values.count / 2))"
            )
            var link = DirectBindings(statement)
            for value in values { link.bind(value) }
            try link.execute()
        }
    }

    /// `values` made up, by repeating its last `width` values, to a power-of-two number of groups
    /// of `width`. A write carries any number of messages; padded, its `IN` lists and multi-row
    /// `VALUES` come in a dozen lengths, so the writer's cache of prepared statements stays small.
    /// (A repeated id in an `IN` list, or a repeated row under `INSERT OR IGNORE`, changes nothing.)
    static func padded(_ values: ArraySlice<Int64>, width: Int) -> [Int64] {
        var result = Array(values)
        let groups = values.count / width
        guard groups > 1 else { return result }
        let target = 1 << (Int.bitWidth - (groups - 1).leadingZeroBitCount)
        let last = values.suffix(width)
        for _ in groups..<target { result += last }
        return result
    }

    /// `(?, ?), (?, ?), …` for `count` rows.
    private static func placeholderPairs(_ count: Int) -> String {
        Array(repeating: "(?, ?)", count: count).joined(separator: ", ")
    }

    /// The `members` JSON of a batch: each message with its own outcome (``AttemptMember``'s
    /// stored form), written without an encoder: a busy writer makes a thousand of these a second.
    private static func members(of record: AttemptRecord) -> String {
        var json: [UInt8] = [UInt8(ascii: "[")]
        json.reserveCapacity(record.messages.count * 160)
        record.forEachOutcome { outcome in
            if json.count > 1 { json.append(UInt8(ascii: ",")) }
            json.append(contentsOf: #"{"messageId":"#.utf8)
            JSONText.appendQuoted(outcome.message.id, to: &json)
            json.append(contentsOf: #","eventId":"#.utf8)
            JSONText.appendQuoted(outcome.message.event.id, to: &json)
            json.append(contentsOf: #","eventType":"#.utf8)
            JSONText.appendQuoted(outcome.message.event.type, to: &json)
            json.append(contentsOf: #","attempt":"#.utf8)
            json.append(contentsOf: String(outcome.message.attempt).utf8)
            json.append(contentsOf: #","outcome":""#.utf8)
            json.append(contentsOf: outcome.decision.outcome.rawValue.utf8)
            json.append(UInt8(ascii: "\""))
            if let next = outcome.decision.nextAttemptAt {
                json.append(contentsOf: #","nextAttemptAt":"#.utf8)
                json.append(contentsOf: String(next).utf8)
            }
            if let error = outcome.error {
                json.append(contentsOf: #","error":"#.utf8)
                JSONText.appendQuoted(error, to: &json)
            }
            json.append(UInt8(ascii: "}"))
        }
        json.append(UInt8(ascii: "]"))
        return String(decoding: json, as: UTF8.self)
    }

    /// Finishes or reschedules the attempts' messages; returns how many left the queue.
    private static func moveMessages(_ attempts: [AttemptRecord], db: Database) throws -> Int {
        struct Finish: Hashable {
            var attempt: Int
            var status: MessageStatus
            var finishedAt: Int64
        }
        var finishing: [Finish: [Int64]] = [:]
        let keepPending = try db.cachedStatement(
            sql:
                "UPDATE messages SET attempts = ?, next_attempt_at = ? WHERE id = ? AND status = \(MessageStatus.pending.sql)"
        )
        for record in attempts {
            try record.forEachOutcome { outcome in
                if outcome.decision.keepsMessagePending {
                    var values = DirectBindings(keepPending)
                    values.bind(outcome.message.attempt)
                    values.bind(outcome.decision.nextAttemptAt ?? record.startedAt)
                    values.bind(outcome.message.rowID)
                    try values.execute()
                } else {
                    let key = Finish(
                        attempt: outcome.message.attempt, status: MessageStatus(after: outcome.decision.outcome),
                        finishedAt: record.startedAt + record.durationMillis)
                    finishing[key, default: []].append(outcome.message.rowID)
                }
            }
        }
        var finished = 0
        for (key, rowIDs) in finishing {
            for chunk in rowIDs.chunks(of: inListLimit) {
                let ids = padded(chunk, width: 1)
                let statement = try db.cachedStatement(
                    sql: """
                        UPDATE messages SET attempts = ?, status = ?, finished_at = ?
                        WHERE status = \(MessageStatus.pending.sql) AND id IN (\(placeholders(ids.count)))
                        """)
                var values = DirectBindings(statement)
                values.bind(key.attempt)
                values.bind(key.status.rawValue)
                values.bind(key.finishedAt)
                for id in ids { values.bind(id) }
                try values.execute()
                finished += db.changesCount
            }
        }
        return finished
    }

    /// Health columns, and the state of webhooks a `paused` or `disabled` outcome stops: once
    /// per request (its messages share a webhook and an answer). Returns the audit event of each
    /// webhook the relay stopped (SPEC §13).
    private static func updateWebhooks(_ attempts: [AttemptRecord], db: Database) throws -> [RelayAuditEvent] {
        var health: [String: WebhookHealthChange] = [:]
        var stopped: [RelayAuditEvent] = []
        for record in attempts {
            guard let webhookID = record.messages.first?.message.webhookID else { continue }
            health[webhookID, default: WebhookHealthChange()].add(record)
            let stopping = record.messages.indices.first { record.messages[$0].decision.outcome.stopsWebhook }
            guard let stopping else { continue }
            let decision = record.messages[stopping].decision
            try db.cachedStatement(
                sql: """
                    UPDATE webhooks SET state = ?, state_reason = ?, updated_at = ?
                    WHERE id = ? AND state = 'active'
                    """
            ).execute(arguments: [
                (decision.outcome == .paused ? WebhookState.paused : .disabled).rawValue, decision.reason,
                record.startedAt, webhookID,
            ])
            guard db.changesCount > 0 else { continue }
            let name = try String.fetchOne(db, sql: "SELECT name FROM webhooks WHERE id = ?", arguments: [webhookID])
            stopped.append(
                RelayAuditEvent(
                    decision.outcome == .paused ? .webhookPaused : .webhookDisabled, by: .relay,
                    target: .init(kind: "webhook", id: webhookID, name: name), changes: ["state"],
                    reason: decision.reason))
        }
        for (webhookID, change) in health { try change.apply(to: webhookID, db: db) }
        return stopped
    }
}

extension WebhookHealthChange {
    /// Counts one recorded request.
    mutating func add(_ record: AttemptRecord) {
        let messages = record.messages
        let failed = messages.first { $0.decision.outcome != .delivered }
        add(
            startedAt: record.startedAt, deliveredAny: messages.contains { $0.decision.outcome == .delivered },
            firstFailure: failed.map { ($0.decision.outcome, $0.error) }, httpStatus: record.httpStatus)
    }

    /// Writes the health columns in one statement or two instead of one per attempt.
    func apply(to webhookID: String, db: Database) throws {
        if let lastSuccessAt {
            try db.cachedStatement(
                sql: "UPDATE webhooks SET last_success_at = ?, consecutive_failures = ? WHERE id = ?"
            ).execute(arguments: [lastSuccessAt, failuresSinceSuccess, webhookID])
        }
        if let lastFailure {
            let failures = lastSuccessAt == nil ? "consecutive_failures + ?" : "?"
            try db.cachedStatement(
                sql: """
                    UPDATE webhooks SET last_failure_at = ?, last_failure_reason = ?,
                        consecutive_failures = \(failures) WHERE id = ?
                    """
            ).execute(arguments: [lastFailure.at, lastFailure.reason, failuresSinceSuccess, webhookID])
        }
    }
}
