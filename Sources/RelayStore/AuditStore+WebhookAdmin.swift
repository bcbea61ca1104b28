import Foundation
import GRDB
import RelayCore
import Synchronization

extension AuditStore {
    /// Stores a new webhook made through the API.
    ///
    /// - Throws: ``StoreError/nameTaken(_:)`` when another webhook has the name.
    public func createWebhook(_ webhook: Webhook) async throws {
        let columns = try encodeWebhook(webhook)
        try await write { db in
            try Self.requireNameFree(webhook.name, for: webhook.id, db: db)
            try Self.save(columns, isNew: true, db: db)
        }
        changes.webhooksChanged()
    }

    /// Changes a webhook atomically: reads it, applies `change` and writes it back in one
    /// transaction, so concurrent changes (and the relay pausing it) are never lost. Its queue,
    /// sequence and declared flag are kept. An error thrown by `change` leaves it untouched.
    ///
    /// - Throws: ``StoreError/webhookNotFound(_:)``, ``StoreError/nameTaken(_:)``, or what `change` throws.
    public func modifyWebhook<T: Sendable>(id: String, _ change: @escaping @Sendable (inout Webhook) throws -> T)
        async throws -> (webhook: Webhook, result: T)
    {
        let outcome = try await write { db -> (Webhook, T) in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM webhooks WHERE id = ?", arguments: [id]) else {
                throw StoreError.webhookNotFound(id)
            }
            var webhook = try self.decodeWebhook(row)
            let result = try change(&webhook)
            webhook.id = id
            try Self.requireNameFree(webhook.name, for: id, db: db)
            try Self.save(try self.encodeWebhook(webhook), isNew: false, db: db)
            return (webhook, result)
        }
        changes.webhooksChanged()
        return outcome
    }

    private static func requireNameFree(_ name: String, for id: String, db: Database) throws {
        let taken = try Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM webhooks WHERE name = ? AND id != ?)", arguments: [name, id])
        if taken == true { throw StoreError.nameTaken(name) }
    }

    /// Deletes a webhook and every message queued for it; its attempts stay in the log.
    ///
    /// - Returns: whether the webhook existed.
    @discardableResult
    public func deleteWebhook(id: String) async throws -> Bool {
        let deleted = try await write { db -> Bool in
            try db.execute(sql: "DELETE FROM webhooks WHERE id = ?", arguments: [id])
            let deleted = db.changesCount > 0
            let pending =
                try Int.fetchOne(
                    db,
                    sql: "SELECT COUNT(*) FROM messages WHERE webhook_id = ? AND status = \(MessageStatus.pending.sql)",
                    arguments: [id])
                ?? 0
            try db.execute(sql: "DELETE FROM messages WHERE webhook_id = ?", arguments: [id])
            self.tallies.pendingMessages.withLock { $0 -= pending }
            return deleted
        }
        if deleted { changes.webhooksChanged() }
        return deleted
    }

    /// Sets a webhook `active` again and makes its queued messages due now.
    ///
    /// - Returns: the webhook, or `nil` when there is none with `id`.
    public func resumeWebhook(id: String, now: Int64) async throws -> Webhook? {
        let found = try await write { db -> Bool in
            try db.execute(
                sql: "UPDATE webhooks SET state = 'active', state_reason = NULL, updated_at = ? WHERE id = ?",
                arguments: [now, id])
            guard db.changesCount > 0 else { return false }
            try db.execute(
                sql: """
                    UPDATE messages SET next_attempt_at = ? WHERE webhook_id = ? AND status = \(MessageStatus.pending.sql)
                    AND next_attempt_at > ?
                    """, arguments: [now, id, now])
            return true
        }
        guard found else { return nil }
        changes.webhooksChanged()
        return try await webhook(id: id)
    }
}
