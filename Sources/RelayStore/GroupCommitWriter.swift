import Foundation
import GRDB
import Synchronization

/// Runs every write of the relay through one SQLite transaction at a time, folding the writes
/// that arrive while a commit is under way into the next one (group commit): many requests, one
/// fsync.
///
/// Each write runs in its own savepoint, so a write that throws a non-database error is undone
/// alone; a database error (disk full, I/O) fails the whole group. A caller's result is returned
/// only after the commit that holds it is done — fsynced (`synchronous = FULL`) when any write
/// in the group asked to be durable, and without an fsync of its own otherwise (`NORMAL`: the
/// commit reaches the disk with the next durable one or the next checkpoint, in order).
///
/// ```swift
/// let count = try await writer.write { db in try Int.fetchOne(db, sql: "SELECT 1")! }
/// ```
actor GroupCommitWriter {
    private final class PendingWrite: @unchecked Sendable {
        let apply: @Sendable (Database) throws -> Void
        let durable: Bool
        var waiter: CheckedContinuation<Role, Never>?

        init(durable: Bool, apply: @escaping @Sendable (Database) throws -> Void) {
            self.durable = durable
            self.apply = apply
        }
    }

    private enum Role {
        case lead
        case done(commitError: (any Error)?)
    }

    private let pool: DatabasePool
    private let onFailedCommit: @Sendable () async -> Void
    private var queue: [PendingWrite] = []
    private var committing = false
    /// The connection's current `synchronous` setting (`FULL` when the pool opened it); `nil`
    /// after a failed group, when it is not known and is set again before the next one.
    private var synchronousFull: Bool? = true

    /// - Parameter onFailedCommit: called after a group's transaction was rolled back, so caches
    ///   kept beside the database can be rebuilt.
    init(pool: DatabasePool, onFailedCommit: @escaping @Sendable () async -> Void) {
        self.pool = pool
        self.onFailedCommit = onFailedCommit
    }

    /// Runs `work` in the next group transaction and returns its result once that transaction
    /// has committed.
    ///
    /// - Parameter durable: whether the commit must be fsynced before returning. Writes whose
    ///   loss in a power cut only repeats work (attempt records, releases) pass `false`.
    func write<T: Sendable>(durable: Bool = true, _ work: @escaping @Sendable (Database) throws -> T) async throws -> T
    {
        let result = Mutex<Result<T, any Error>?>(nil)
        let item = PendingWrite(durable: durable) { db in
            do {
                var value: T?
                try db.inSavepoint {
                    value = try work(db)
                    return .commit
                }
                result.withLock { $0 = .success(value!) }
            } catch let error as DatabaseError {
                throw error
            } catch {
                result.withLock { $0 = .failure(error) }
            }
        }
        queue.append(item)
        if committing {
            let role = await withCheckedContinuation { item.waiter = $0 }
            if case .done(let commitError) = role {
                if let commitError { throw commitError }
                return try result.withLock { $0! }.get()
            }
        } else {
            committing = true
        }
        let commitError = await commitQueued(leader: item)
        if let commitError { throw commitError }
        return try result.withLock { $0! }.get()
    }

    /// Commits everything queued (the leader's own write first among them), wakes the writers it
    /// carried, and hands the lead to the next waiting writer, if any.
    private func commitQueued(leader: PendingWrite) async -> (any Error)? {
        let group = queue
        queue.removeAll(keepingCapacity: true)
        let full = group.contains { $0.durable }
        let setSynchronous = full != synchronousFull
        synchronousFull = full
        let commitError: (any Error)? = await withCheckedContinuation { continuation in
            pool.asyncWriteWithoutTransaction { db in
                do {
                    if setSynchronous { try db.execute(sql: "PRAGMA synchronous = \(full ? "FULL" : "NORMAL")") }
                    try db.inTransaction {
                        for pending in group { try pending.apply(db) }
                        return .commit
                    }
                    continuation.resume(returning: nil)
                } catch {
                    continuation.resume(returning: error)
                }
            }
        }
        if commitError != nil {
            synchronousFull = nil
            await onFailedCommit()
        }
        for pending in group where pending !== leader {
            pending.waiter?.resume(returning: .done(commitError: commitError))
        }
        if let next = queue.first {
            next.waiter?.resume(returning: .lead)
        } else {
            committing = false
        }
        return commitError
    }
}
