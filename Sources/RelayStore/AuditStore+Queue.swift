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
        try await claimDue(webhookID: webhookID, limit: limit, now: now, filling: nil).messages
    }

    /// Claims like ``claimDue(webhookID:limit:now:)``; with `filling`, claims nothing while fewer
    /// than a batch are due and the oldest of them has not waited `maxWait` yet, and says when
    /// it will have. Only the queue's index is read then: no event is read, nothing is held.
    public func claimDue(webhookID: String, limit: Int, now: Int64, filling: BatchSettings?) async throws -> Claim {
        guard limit > 0 else { return Claim(messages: [], fillingUntil: nil) }
        let token = inFlight.beginClaim()
        let candidates: [QueuedMessage]
        do {
            let read = try await pool.read { db -> Claim in
                // Held messages are still pending, so they come first in due order: they are
                // stepped over on a cursor, without copying their rows.
                let skip = self.inFlight.excluded(since: token)
                let due = try Row.fetchCursor(
                    db.cachedStatement(
                        sql: """
                            SELECT id, uid, event_seq, sequence, attempts, created_at, next_attempt_at FROM messages
                            WHERE webhook_id = ? AND status = \(MessageStatus.pending.sql) AND next_attempt_at <= ?
                            AND EXISTS (SELECT 1 FROM webhooks WHERE id = ? AND state = 'active')
                            ORDER BY next_attempt_at, id
                            """),
                    arguments: [webhookID, now, webhookID])
                // Columns by position (as the SELECTs list them): a name lookup per value showed
                // up in profiles of busy lanes.
                var messages: [ClaimedRow] = []
                while messages.count < limit, let row = try due.next() {
                    let rowID: Int64 = row[0]
                    guard !skip.contains(rowID) else { continue }
                    messages.append((rowID, row[1], row[2], row[3], (row[4] as Int) + 1, row[5], row[6]))
                }
                if let filling, messages.count < filling.maxEvents, let oldest = messages.first?.dueAt,
                    oldest + filling.maxWait.milliseconds > now
                {
                    return Claim(messages: [], fillingUntil: oldest + filling.maxWait.milliseconds)
                }
                guard !messages.isEmpty else { return Claim(messages: [], fillingUntil: nil) }
                let events = try Self.events(seqs: messages.map(\.eventRowID), db: db)
                let claimed = messages.compactMap { message -> QueuedMessage? in
                    guard let event = events[message.eventRowID] else { return nil }
                    return QueuedMessage(
                        rowID: message.rowID, id: message.id, webhookID: webhookID, sequence: message.sequence,
                        attempt: message.attempt, createdAt: message.createdAt, event: event,
                        eventRowID: message.eventRowID)
                }
                return Claim(messages: claimed, fillingUntil: nil)
            }
            guard read.fillingUntil == nil else {
                inFlight.cancelClaim(token)
                return read
            }
            candidates = read.messages
        } catch {
            inFlight.cancelClaim(token)
            throw error
        }
        let taken = Set(inFlight.finishClaim(token, candidates: candidates.map(\.rowID), limit: limit))
        let messages = candidates.filter { taken.contains($0.rowID) }.sorted { $0.sequence < $1.sequence }
        return Claim(messages: messages, fillingUntil: nil)
    }

    /// The events with these row numbers, by row number. Claimed messages usually name a dense
    /// run of events (a webhook subscribed to most of them), which one range read fetches far
    /// more cheaply than an `IN` list; sparse ones are looked up by list.
    private static func events(seqs: [Int64], db: Database) throws -> [Int64: AuditEvent] {
        var events: [Int64: AuditEvent] = [:]
        events.reserveCapacity(seqs.count)
        guard let low = seqs.min(), let high = seqs.max() else { return events }
        func read(_ rows: RowCursor, keeping wanted: Set<Int64>?) throws {
            while let row = try rows.next() {
                let seq: Int64 = row[0]
                if let wanted, !wanted.contains(seq) { continue }
                events[seq] = AuditEvent(id: row[1], type: row[2], occurredAt: row[3], body: row[4])
            }
        }
        let select = "SELECT seq, id, type, occurred_at, body FROM events WHERE"
        if high - low < Int64(seqs.count) * 4 {
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: "\(select) seq BETWEEN ? AND ?"), arguments: [low, high])
            try read(rows, keeping: high - low + 1 == Int64(seqs.count) ? nil : Set(seqs))
        } else {
            for chunk in seqs.chunks(of: inListLimit) {
                let rows = try Row.fetchCursor(
                    db, sql: "\(select) seq IN (\(placeholders(chunk.count)))", arguments: StatementArguments(chunk))
                try read(rows, keeping: nil)
            }
        }
        return events
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

    /// Most values in one `IN (…)` list (SQLite allows 32,766 parameters in a statement); a power
    /// of two, so padded lists (``padded(_:width:)``) never pass it.
    static let inListLimit = 1024

    /// The earliest time a pending message of the webhook that is not claimed now is due, if any.
    public func nextDueTime(webhookID: String) async throws -> Int64? {
        try await pool.read { db in
            let claimed = self.inFlight.claimed
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT id, next_attempt_at FROM messages WHERE webhook_id = ? AND status = \(MessageStatus.pending.sql)
                        AND EXISTS (SELECT 1 FROM webhooks WHERE id = ? AND state = 'active')
                        ORDER BY next_attempt_at, id
                        """),
                arguments: [webhookID, webhookID])
            while let row = try rows.next() {
                if !claimed.contains(row[0]) { return row[1] }
            }
            return nil
        }
    }
}

/// What a claim took.
public struct Claim: Sendable, Equatable {
    /// The claimed messages, in their webhook's order.
    public var messages: [QueuedMessage]
    /// When a batch still filling is due to go (Unix milliseconds); nothing is claimed then.
    public var fillingUntil: Int64?
}

/// A due message's own columns, read before its event.
private typealias ClaimedRow = (
    rowID: Int64, id: String, eventRowID: Int64, sequence: Int64, attempt: Int, createdAt: Int64, dueAt: Int64
)

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
