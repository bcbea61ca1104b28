import Foundation
import GRDB
import RelayCore
import Synchronization

extension AuditStore {
    /// Stores a new webhook made through the API.
    ///
    /// - Throws: ``StoreError/nameTaken(_:)`` when another webhook has the name.
    public func createWebhook(_ webhook: Webhook) async throws {
        try await saveWebhook(webhook, isNew: true)
    }

    /// Replaces a webhook's definition (its queue, sequence and declared flag are kept).
    ///
    /// - Throws: ``StoreError/webhookNotFound(_:)``, ``StoreError/nameTaken(_:)``.
    public func updateWebhook(_ webhook: Webhook) async throws {
        try await saveWebhook(webhook, isNew: false)
    }

    private func saveWebhook(_ webhook: Webhook, isNew: Bool) async throws {
        let columns = try encodeWebhook(webhook)
        do {
            let changed = try await write { db -> Int in
                try Self.save(columns, isNew: isNew, db: db)
                return db.changesCount
            }
            guard changed > 0 else { throw StoreError.webhookNotFound(webhook.id) }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw StoreError.nameTaken(webhook.name)
        }
        changes.webhooksChanged()
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
                    db, sql: "SELECT COUNT(*) FROM messages WHERE webhook_id = ? AND status = 'pending'",
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
                    UPDATE messages SET next_attempt_at = ? WHERE webhook_id = ? AND status = 'pending'
                    AND leased = 0 AND next_attempt_at > ?
                    """, arguments: [now, id, now])
            return true
        }
        guard found else { return nil }
        changes.webhooksChanged()
        return try await webhook(id: id)
    }
}
