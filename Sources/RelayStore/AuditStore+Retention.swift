import Foundation
import GRDB
import RelayCore

/// What one ``AuditStore/prune(olderThan:batchSize:)`` removed, per table.
public struct PruneReport: Sendable, Equatable {
    /// Attempt records removed.
    public var attempts: Int
    /// Delivered, failed and expired messages removed.
    public var messages: Int
    /// Events removed.
    public var events: Int

    public init(attempts: Int = 0, messages: Int = 0, events: Int = 0) {
        self.attempts = attempts
        self.messages = messages
        self.events = events
    }

    /// Whether nothing was removed.
    public var isEmpty: Bool { attempts == 0 && messages == 0 && events == 0 }
}

extension AuditStore {
    /// Removes what retention no longer keeps, a few rows per transaction so that ingest is never
    /// held up for long.
    ///
    /// Removed: attempts started before `cutoff`; delivered, failed and expired messages finished
    /// before `cutoff`; events received before `cutoff` that have no message left. A pending
    /// message is never removed here, however old, and keeps its event.
    ///
    /// Each batch of at most `batchSize` rows is its own group-commit write; cancellation is
    /// checked between batches, and what was committed stays removed.
    ///
    /// ```swift
    /// let report = try await store.prune(olderThan: WallClock.nowMillis() - retention.milliseconds)
    /// ```
    public func prune(olderThan cutoff: Int64, batchSize: Int = 1000) async throws -> PruneReport {
        precondition(batchSize > 0, "batchSize must be positive")
        var report = PruneReport()
        report.attempts = try await deleteInBatches(batchSize: batchSize) { db in
            try db.execute(
                sql: "DELETE FROM attempts WHERE id IN (SELECT id FROM attempts WHERE started_at < ? LIMIT ?)",
                arguments: [cutoff, batchSize])
            return db.changesCount
        }
        report.messages = try await deleteInBatches(batchSize: batchSize) { db in
            try db.execute(
                sql: """
                    DELETE FROM messages WHERE id IN (
                        SELECT id FROM messages WHERE status != \(MessageStatus.pending.sql) AND finished_at < ? LIMIT ?)
                    """,
                arguments: [cutoff, batchSize])
            return db.changesCount
        }
        report.events = try await pruneEvents(olderThan: cutoff, batchSize: batchSize)
        return report
    }

    /// Runs `deleteBatch` in its own write until a batch removes fewer than `batchSize` rows, and
    /// returns how many rows were removed in all.
    private func deleteInBatches(
        batchSize: Int, _ deleteBatch: @escaping @Sendable (Database) throws -> Int
    ) async throws -> Int {
        var total = 0
        while true {
            try Task.checkCancellation()
            let deleted = try await write(deleteBatch)
            total += deleted
            if deleted < batchSize { return total }
        }
    }

    /// Removes old events without messages. An old event still holding a pending message is
    /// stepped over, not looked at again: each batch examines the next `batchSize` old events in
    /// `(received_at, seq)` order, so many kept events cannot make every batch slower.
    private func pruneEvents(olderThan cutoff: Int64, batchSize: Int) async throws -> Int {
        var total = 0
        var after: (receivedAt: Int64, seq: Int64) = (.min, .min)
        while true {
            try Task.checkCancellation()
            let start = after
            let (deleted, last) = try await write(durable: false) { db -> (Int, (Int64, Int64)?) in
                let lastRow = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT received_at, seq FROM events
                        WHERE received_at < ? AND (received_at, seq) > (?, ?)
                        ORDER BY received_at, seq LIMIT 1 OFFSET ?
                        """,
                    arguments: [cutoff, start.receivedAt, start.seq, batchSize - 1])
                try db.execute(
                    sql: """
                        DELETE FROM events
                        WHERE seq IN (
                            SELECT seq FROM events
                            WHERE received_at < ? AND (received_at, seq) > (?, ?)
                            ORDER BY received_at, seq LIMIT ?)
                        AND NOT EXISTS (SELECT 1 FROM messages WHERE messages.event_seq = events.seq)
                        """,
                    arguments: [cutoff, start.receivedAt, start.seq, batchSize])
                return (db.changesCount, lastRow.map { ($0[0], $0[1]) })
            }
            total += deleted
            guard let last else { return total }
            after = last
        }
    }
}
