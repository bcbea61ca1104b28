import Foundation
import GRDB
import RelayCore
import Synchronization

extension AuditStore {
    /// Stores a new webhook made through the API, and `event` (its `created` or `installed`
    /// audit event) in the same transaction. The event goes in first: a webhook receives the
    /// relay's own events recorded after it was made, not the record of its making.
    ///
    /// - Throws: ``StoreError/nameTaken(_:)`` when another webhook has the name.
    public func createWebhook(_ webhook: Webhook, recording event: RelayAuditEvent) async throws {
        let columns = try encodeWebhook(webhook)
        let queuedFor = try await write { db in
            try Self.requireNameFree(webhook.name, for: webhook.id, db: db)
            let queuedFor = try self.insert(event, db: db)
            try Self.save(columns, isNew: true, db: db)
            return queuedFor
        }
        changes.webhooksChanged()
        announce(queuedFor)
    }

    /// Changes a webhook atomically: reads it, applies `change` and writes it back in one
    /// transaction, so concurrent changes (and the relay pausing it) are never lost; the audit
    /// event `recording` makes of the webhook before and after goes in the same transaction (none
    /// when it answers `nil`: nothing changed). Its queue, sequence and declared flag are kept. An
    /// error thrown by `change` leaves it untouched and records nothing.
    ///
    /// - Throws: ``StoreError/webhookNotFound(_:)``, ``StoreError/nameTaken(_:)``, or what `change` throws.
    public func modifyWebhook<T: Sendable>(
        id: String, recording: @escaping @Sendable (_ before: Webhook, _ after: Webhook) -> RelayAuditEvent?,
        _ change: @escaping @Sendable (inout Webhook) throws -> T
    ) async throws -> (webhook: Webhook, result: T) {
        let (webhook, result, queuedFor) = try await write { db -> (Webhook, T, Set<String>) in
            guard let before = try self.webhook(id: id, db: db) else { throw StoreError.webhookNotFound(id) }
            var webhook = before
            let result = try change(&webhook)
            webhook.id = id
            try Self.requireNameFree(webhook.name, for: id, db: db)
            try Self.save(try self.encodeWebhook(webhook), isNew: false, db: db)
            let queuedFor = try recording(before, webhook).map { try self.insert($0, db: db) } ?? []
            return (webhook, result, queuedFor)
        }
        changes.webhooksChanged()
        announce(queuedFor)
        return (webhook, result)
    }

    private static func requireNameFree(_ name: String, for id: String, db: Database) throws {
        let taken = try Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM webhooks WHERE name = ? AND id != ?)", arguments: [name, id])
        if taken == true { throw StoreError.nameTaken(name) }
    }

    /// Deletes a webhook and every message queued for it, with the audit event `recording` makes
    /// of it in the same transaction; its attempts stay in the log.
    ///
    /// - Returns: the webhook deleted, or `nil` when there is none with `id`.
    @discardableResult
    public func deleteWebhook(id: String, recording: @escaping @Sendable (Webhook) -> RelayAuditEvent) async throws
        -> Webhook?
    {
        let (deleted, queuedFor) = try await write { db -> (Webhook?, Set<String>) in
            guard let webhook = try self.webhook(id: id, db: db) else { return (nil, []) }
            try db.execute(sql: "DELETE FROM webhooks WHERE id = ?", arguments: [id])
            let pending =
                try Int.fetchOne(
                    db,
                    sql: "SELECT COUNT(*) FROM messages WHERE webhook_id = ? AND status = \(MessageStatus.pending.sql)",
                    arguments: [id])
                ?? 0
            try db.execute(sql: "DELETE FROM messages WHERE webhook_id = ?", arguments: [id])
            let queuedFor = try self.insert(recording(webhook), db: db)
            // Last: a failed write above leaves the count as it was.
            self.tallies.pendingMessages.withLock { $0 -= pending }
            return (webhook, queuedFor)
        }
        if deleted != nil { changes.webhooksChanged() }
        announce(queuedFor)
        return deleted
    }

    /// Sets a webhook `active` again and makes its queued messages due now, with the audit event
    /// `recording` makes of it (from the webhook before and after; `nil`, none) in the same
    /// transaction.
    ///
    /// - Returns: the webhook, or `nil` when there is none with `id`.
    public func resumeWebhook(
        id: String, now: Int64, recording: @escaping @Sendable (_ before: Webhook, _ after: Webhook) -> RelayAuditEvent?
    ) async throws -> Webhook? {
        let (resumed, queuedFor) = try await write { db -> (Webhook?, Set<String>) in
            guard let before = try self.webhook(id: id, db: db) else { return (nil, []) }
            var webhook = before
            try db.execute(
                sql: "UPDATE webhooks SET state = 'active', state_reason = NULL, updated_at = ? WHERE id = ?",
                arguments: [now, id])
            try db.execute(
                sql: """
                    UPDATE messages SET next_attempt_at = ? WHERE webhook_id = ? AND status = \(MessageStatus.pending.sql)
                    AND next_attempt_at > ?
                    """, arguments: [now, id, now])
            webhook.state = .active
            webhook.stateReason = nil
            webhook.updatedAt = now
            return (webhook, try recording(before, webhook).map { try self.insert($0, db: db) } ?? [])
        }
        guard let resumed else { return nil }
        changes.webhooksChanged()
        announce(queuedFor)
        return resumed
    }
}
