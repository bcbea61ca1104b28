import GRDB
import RelayCore
import Synchronization

/// Counts the store keeps in memory beside the database, changed inside write transactions and
/// reloaded from the database after a transaction fails.
final class StoreTallies: Sendable {
    /// Undelivered messages, so ingest can refuse a full queue without counting rows.
    let pendingMessages = Mutex(0)
    /// When a write last failed for lack of space (Unix milliseconds).
    let storageFullAt = Mutex<Int64?>(nil)
    /// Event types already in the catalogue, so ingest writes only new ones.
    let knownEventTypes = Mutex<Set<String>>([])
    /// Webhooks' subscriptions as stored (`events`, JSON) and parsed, so ingest does not decode
    /// them for every request. Never stale: the stored text is the key.
    let subscriptions = Mutex<[String: [EventTypePattern]]>([:])

    /// Loads the counts while the store is being opened (nothing else uses the pool yet).
    init(pool: DatabasePool) throws {
        apply(try pool.read(Self.counts))
    }

    /// Reloads the counts after a failed transaction, without blocking a thread of the
    /// cooperative pool while it waits for a reader.
    func reload(from pool: DatabasePool) async throws {
        apply(try await pool.read(Self.counts))
    }

    @Sendable private static func counts(_ db: Database) throws -> (Int, Set<String>) {
        (
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages WHERE status = \(MessageStatus.pending.sql)") ?? 0,
            try String.fetchSet(db, sql: "SELECT name FROM event_types")
        )
    }

    private func apply(_ counts: (pending: Int, types: Set<String>)) {
        pendingMessages.withLock { $0 = counts.pending }
        knownEventTypes.withLock { $0 = counts.types }
    }
}
