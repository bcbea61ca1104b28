import GRDB
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

    init(pool: DatabasePool) throws {
        try reload(from: pool)
    }

    func reload(from pool: DatabasePool) throws {
        let (pending, types) = try pool.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages WHERE status = 'pending'") ?? 0,
                try String.fetchSet(db, sql: "SELECT name FROM event_types")
            )
        }
        pendingMessages.withLock { $0 = pending }
        knownEventTypes.withLock { $0 = types }
    }
}
