import Foundation
import GRDB
import RelayCore
import Synchronization

/// What a replay selected, and queued unless it was a dry run.
public struct ReplayReport: Sendable, Equatable {
    /// How many messages matched.
    public var count: Int
    /// The first 100 matching message ids, oldest first.
    public var messageIDs: [String]
}

extension AuditStore {
    /// What asking for a message's retry did.
    public enum RetryResult: Sendable, Equatable {
        /// Pending and due now.
        case queued
        /// An attempt is in flight; nothing changed.
        case inFlight
        /// No message has that id.
        case notFound
    }

    /// Queues a message again, with the same id, due now (its attempt count goes on). A message
    /// with an attempt in flight is left alone: that attempt's outcome decides what happens next.
    public func retryMessage(id: String, now: Int64) async throws -> RetryResult {
        let (result, webhookID) = try await write { db -> (RetryResult, String?) in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT id, webhook_id, status FROM messages WHERE uid = ?", arguments: [id])
            else { return (.notFound, nil) }
            guard !self.inFlight.contains(row["id"]) else { return (.inFlight, nil) }
            try db.execute(
                sql: """
                    UPDATE messages SET status = \(MessageStatus.pending.sql), next_attempt_at = ?, finished_at = NULL
                    WHERE uid = ?
                    """, arguments: [now, id])
            if (row["status"] as String) != MessageStatus.pending.rawValue {
                self.tallies.pendingMessages.withLock { $0 += 1 }
            }
            return (.queued, row["webhook_id"])
        }
        if let webhookID { changes.queued(for: [webhookID]) }
        return result
    }

    /// Queues again the finished messages of a webhook that were queued in `since..<until`
    /// (optionally only those `delivered`, `failed` or `expired`), with their ids unchanged.
    public func replay(
        webhookID: String, since: Int64, until: Int64?, status: MessageStatus?, dryRun: Bool, now: Int64
    ) async throws -> ReplayReport {
        var conditions = ["webhook_id = ?", "created_at >= ?", "status != \(MessageStatus.pending.sql)"]
        var arguments: [(any DatabaseValueConvertible)?] = [webhookID, since]
        if let until {
            conditions.append("created_at < ?")
            arguments.append(until)
        }
        if let status {
            conditions.append("status = ?")
            arguments.append(status.rawValue)
        }
        let filter = conditions.joined(separator: " AND ")
        let selection = StatementArguments(arguments)
        let report = try await write { db -> ReplayReport in
            let count =
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages WHERE \(filter)", arguments: selection) ?? 0
            let ids = try String.fetchAll(
                db, sql: "SELECT uid FROM messages WHERE \(filter) ORDER BY id LIMIT 100", arguments: selection)
            if !dryRun && count > 0 {
                try db.execute(
                    sql: """
                        UPDATE messages SET status = \(MessageStatus.pending.sql), next_attempt_at = ?, finished_at = NULL
                        WHERE \(filter)
                        """, arguments: StatementArguments([now]) + selection)
                self.tallies.pendingMessages.withLock { $0 += db.changesCount }
            }
            return ReplayReport(count: count, messageIDs: ids)
        }
        if !dryRun && report.count > 0 { changes.queued(for: [webhookID]) }
        return report
    }
}
