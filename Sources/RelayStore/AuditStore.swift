import Foundation
import GRDB
import Logging
import RelayCore
import Synchronization

/// The relay's durable state in one SQLite file: events, their messages (the delivery queue),
/// webhooks, attempts and token hashes.
///
/// Every write goes through one group-commit writer; reads use the pool's readers. Commits are
/// fsynced (`synchronous = FULL` in WAL mode) before a write returns.
///
/// ```swift
/// let store = try AuditStore(path: "data/auditrelay.sqlite", sealer: sealer)
/// let receipt = try await store.ingest(events, receivedAt: WallClock.nowMillis(), maxQueued: 10_000_000)
/// ```
public final class AuditStore: Sendable {
    let pool: DatabasePool
    let writer: GroupCommitWriter
    let sealer: SecretSealer
    /// What changed, for the dispatcher.
    public let changes = ChangeFeed()
    /// Counters kept beside the database, so hot paths need not query it.
    let tallies: StoreTallies
    /// Messages claimed for delivery and not yet recorded or released.
    let inFlight = InFlightMessages()

    /// Opens (creating when missing) the store at `path` and brings its schema up to date.
    ///
    /// - Parameter maximumSizeBytes: refuse to grow the file past this size, as a full disk would.
    public init(path: String, sealer: SecretSealer, maximumSizeBytes: Int? = nil) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.maximumReaderCount = 4
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Each write of a group commit runs in a savepoint, whose journal (the pages it
            // changed, as they were) would otherwise spill into a temporary file: one created,
            // written page by page and deleted per group, about three `pwrite`s per delivery.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            if let maximumSizeBytes {
                let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
                try db.execute(sql: "PRAGMA max_page_count = \(max(1, maximumSizeBytes / pageSize))")
            }
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try StoreSchema.migrator.migrate(pool)
        try Self.sealPlainSlackURLs(pool: pool, sealer: sealer)
        let tallies = try StoreTallies(pool: pool)
        self.pool = pool
        self.sealer = sealer
        self.tallies = tallies
        self.writer = GroupCommitWriter(pool: pool) { try? await tallies.reload(from: pool) }
    }

    /// Undelivered messages in the queue.
    public var pendingMessageCount: Int { tallies.pendingMessages.withLock { $0 } }

    /// Runs `work` in the next group commit, mapping a full disk to ``StoreError/storageFull``.
    ///
    /// - Parameter durable: `false` for writes whose loss in a power cut only repeats work
    ///   (releases, attempt records, retention): their commits skip the fsync.
    func write<T: Sendable>(durable: Bool = true, _ work: @escaping @Sendable (Database) throws -> T) async throws -> T
    {
        do {
            return try await writer.write(durable: durable, work)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            tallies.storageFullAt.withLock { $0 = WallClock.nowMillis() }
            throw StoreError.storageFull
        }
    }
}

extension AuditStore {
    /// How long after a write refused for lack of space the store still reports not writable.
    public static let storageFullMemoryMillis: Int64 = 10_000

    /// Throws unless the store takes writes now: a real write and commit, and no write refused
    /// for lack of space in the last ``storageFullMemoryMillis``.
    public func probeWritable(now: Int64) async throws {
        if let fullAt = tallies.storageFullAt.withLock({ $0 }), now - fullAt < Self.storageFullMemoryMillis {
            throw StoreError.storageFull
        }
        try await write { db in
            try db.execute(
                sql: "INSERT INTO probe (id, checked_at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET checked_at = ?",
                arguments: [now, now])
        }
    }
}
