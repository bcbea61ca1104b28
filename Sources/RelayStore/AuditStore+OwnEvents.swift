import GRDB
import RelayCore

extension AuditStore {
    /// Stores one of the relay's own audit events by itself (a sign-in to the page), durable
    /// before it returns, like ingest.
    public func record(_ event: RelayAuditEvent) async throws {
        let queuedFor = try await write { db in try self.insert(event, db: db) }
        announce(queuedFor)
    }

    /// Inserts `event` (SPEC §13) and its messages inside the write of the change it records, so
    /// neither is ever stored without the other; returns the webhooks it was queued for. Never
    /// refused for a full queue: an operator must be able to change the relay (delete the webhook
    /// that fills it) and have the change recorded.
    func insert(_ event: RelayAuditEvent, db: Database) throws -> Set<String> {
        let now = WallClock.nowMillis()
        return try insert([event.stored(at: now)], receivedAt: now, maxQueued: .max, db: db).1
    }

    /// Wakes the lanes of the webhooks that got messages in a write that has committed.
    func announce(_ queuedFor: Set<String>) {
        if !queuedFor.isEmpty { changes.queued(for: queuedFor) }
    }
}
