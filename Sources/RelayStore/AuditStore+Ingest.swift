import Foundation
import GRDB
import RelayCore
import Synchronization

/// What one ingest request stored.
public struct IngestReceipt: Sendable, Equatable {
    /// Events stored now.
    public var accepted: Int
    /// Events whose id was already stored; not queued again.
    public var duplicates: Int
    /// The id of every event in the request, in request order.
    public var ids: [String]
}

extension AuditStore {
    /// Stores `events` and one message per subscribed webhook, all or nothing, and returns once
    /// the commit is durable.
    ///
    /// - Throws: ``StoreError/queueFull(limit:)`` when the queue would exceed `maxQueued`,
    ///   ``StoreError/storageFull`` when the disk is full; nothing of the request is stored then.
    public func ingest(_ events: [AuditEvent], receivedAt: Int64, maxQueued: Int) async throws -> IngestReceipt {
        let (receipt, queuedFor) = try await write { db in
            try self.insert(events, receivedAt: receivedAt, maxQueued: maxQueued, db: db)
        }
        announce(queuedFor)
        return receipt
    }

    /// Inserts `events` and their messages inside a write; returns the receipt and the webhooks
    /// that got messages.
    func insert(_ events: [AuditEvent], receivedAt: Int64, maxQueued: Int, db: Database) throws
        -> (IngestReceipt, Set<String>)
    {
        var routes = try SubscriptionRoute.fetchAll(db, tallies: tallies)
        let insertEvent = try db.cachedStatement(
            sql: """
                INSERT INTO events (id, type, occurred_at, received_at, body) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO NOTHING
                """)
        let insertMessage = try db.cachedStatement(
            sql: """
                INSERT INTO messages (uid, webhook_id, event_seq, sequence, created_at, next_attempt_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
        var receipt = IngestReceipt(accepted: 0, duplicates: 0, ids: [])
        receipt.ids.reserveCapacity(events.count)
        var newMessages = 0
        var newTypes: Set<String> = []
        for event in events {
            receipt.ids.append(event.id)
            try insertEvent.execute(arguments: [event.id, event.type, event.occurredAt, receivedAt, event.body])
            guard db.changesCount > 0 else {
                receipt.duplicates += 1
                continue
            }
            receipt.accepted += 1
            newTypes.insert(event.type)
            let eventSeq = db.lastInsertedRowID
            for index in routes.indices where routes[index].patterns.matches(event.type) {
                routes[index].lastSequence += 1
                routes[index].touched = true
                let messageID = Identifier.make(prefix: "msg_", millis: receivedAt)
                try insertMessage.execute(arguments: [
                    messageID, routes[index].webhookID, eventSeq, routes[index].lastSequence, receivedAt, receivedAt,
                ])
                newMessages += 1
            }
        }
        let admitted = tallies.pendingMessages.withLock { pending -> Bool in
            guard pending + newMessages <= maxQueued || newMessages == 0 else { return false }
            pending += newMessages
            return true
        }
        guard admitted else { throw StoreError.queueFull(limit: maxQueued) }
        for route in routes where route.touched {
            try db.cachedStatement(sql: "UPDATE webhooks SET last_sequence = ? WHERE id = ?")
                .execute(arguments: [route.lastSequence, route.webhookID])
        }
        try recordEventTypes(newTypes, at: receivedAt, db: db)
        return (receipt, Set(routes.filter(\.touched).map(\.webhookID)))
    }

    private func recordEventTypes(_ types: Set<String>, at time: Int64, db: Database) throws {
        let unknown = tallies.knownEventTypes.withLock { known in types.subtracting(known) }
        guard !unknown.isEmpty else { return }
        for type in unknown {
            try db.execute(
                sql: "INSERT INTO event_types (name, first_seen_at) VALUES (?, ?) ON CONFLICT(name) DO NOTHING",
                arguments: [type, time])
        }
        tallies.knownEventTypes.withLock { $0.formUnion(unknown) }
    }
}

/// A webhook's subscriptions and sequence counter, as fan-out needs them.
struct SubscriptionRoute {
    let webhookID: String
    let patterns: [EventTypePattern]
    var lastSequence: Int64
    var touched = false

    /// The webhooks that take new messages (not disabled), their subscriptions decoded once per
    /// stored text (``StoreTallies/subscriptions``).
    static func fetchAll(_ db: Database, tallies: StoreTallies) throws -> [SubscriptionRoute] {
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT id, events, last_sequence FROM webhooks WHERE state != 'disabled'"))
        return try rows.map { row in
            let events: String = row[1]
            let patterns: [EventTypePattern]
            if let known = tallies.subscriptions.withLock({ $0[events] }) {
                patterns = known
            } else {
                patterns = try JSONDecoder().decode([EventTypePattern].self, from: Data(events.utf8))
                tallies.subscriptions.withLock { cache in
                    if cache.count > 4 * rows.count + 16 { cache = [:] }  // ones no webhook has now
                    cache[events] = patterns
                }
            }
            return SubscriptionRoute(webhookID: row[0], patterns: patterns, lastSequence: row[2])
        }
    }
}
