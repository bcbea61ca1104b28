import Foundation
import GRDB
import RelayCore

extension AuditStore {
    /// Stores a new source; its secrets are sealed.
    ///
    /// - Throws: ``StoreError/sourceNameTaken(_:)`` when another source has the name.
    public func createSource(_ source: Source) async throws {
        let sealed = try sealSecrets(source.secrets)
        try await write { db in
            try Self.requireSourceNameFree(source.name, for: source.id, db: db)
            try db.execute(
                sql: """
                    INSERT INTO sources (id, name, provider, secrets_sealed, rejected, last_rejected_at, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    source.id, source.name, source.provider.rawValue, sealed, source.rejected, source.lastRejectedAt,
                    source.createdAt, source.updatedAt,
                ])
        }
    }

    /// Every source, by name.
    public func sources() async throws -> [Source] {
        let rows = try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM sources ORDER BY name") }
        return try rows.map(decodeSource)
    }

    /// The source with `id`, or `nil`.
    public func source(id: String) async throws -> Source? {
        let row = try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM sources WHERE id = ?"), arguments: [id])
        }
        return try row.map(decodeSource)
    }

    /// Changes a source atomically: reads it, applies `change` and writes it back in one
    /// transaction. Its counts of refusals are kept; an error thrown by `change` leaves it
    /// untouched.
    ///
    /// - Throws: ``StoreError/sourceNotFound(_:)``, ``StoreError/sourceNameTaken(_:)``, or what
    ///   `change` throws.
    public func modifySource<T: Sendable>(id: String, _ change: @escaping @Sendable (inout Source) throws -> T)
        async throws -> (source: Source, result: T)
    {
        try await write { db in try self.modifySource(id: id, db: db, change) }
    }

    /// Deletes a source; the events it sent stay.
    ///
    /// - Returns: whether the source existed.
    @discardableResult
    public func deleteSource(id: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM sources WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    /// Counts a refused request (a missing or wrong signature) at `now`. Not made durable by
    /// itself: a count lost in a crash loses nothing of an event.
    public func recordRejection(sourceID: String, at now: Int64) async throws {
        try await write(durable: false) { db in
            try db.cachedStatement(
                sql: "UPDATE sources SET rejected = rejected + 1, last_rejected_at = ? WHERE id = ?"
            ).execute(arguments: [now, sourceID])
        }
    }

    /// Stores the event of a verified inbound request and updates its source's secret status
    /// (`verified`, which answers whether the secret the request was signed with is still
    /// accepted as the source stands now) in the same transaction; returns once durable, like
    /// ``ingest(_:receivedAt:maxQueued:)``. A delivery id already stored is a duplicate: the
    /// status is still brought up to date.
    ///
    /// - Throws: ``StoreError/secretNotAccepted`` when a rotation or a deadline came between the
    ///   check and this write, ``StoreError/sourceNotFound(_:)`` when the source was deleted
    ///   meanwhile, and what ``ingest(_:receivedAt:maxQueued:)`` throws; nothing is stored then.
    public func ingestInbound(
        _ event: AuditEvent, sourceID: String, receivedAt: Int64, maxQueued: Int,
        verified: @escaping @Sendable (inout SourceSecrets) -> Bool
    ) async throws -> IngestReceipt {
        let (receipt, queuedFor) = try await write { db in
            let (_, accepted) = try self.modifySource(id: sourceID, db: db) { verified(&$0.secrets) }
            guard accepted else { throw StoreError.secretNotAccepted }
            return try self.insert([event], receivedAt: receivedAt, maxQueued: maxQueued, db: db)
        }
        if !queuedFor.isEmpty { changes.queued(for: queuedFor) }
        return receipt
    }

    /// Brings every source's secret status up to date at `now` (a rotation whose grace ended), in
    /// one write; returns the sources whose status changed in it.
    public func refreshSources(now: Int64) async throws -> [Source] {
        try await write { db in
            let ids = try String.fetchAll(db, sql: "SELECT id FROM sources")
            return try ids.compactMap { id -> Source? in
                let (source, changed) = try self.modifySource(id: id, db: db) { source -> Bool in
                    let before = source.secrets.status
                    source.secrets.refresh(now: now)
                    return source.secrets.status != before
                }
                return changed ? source : nil
            }
        }
    }

    private func modifySource<T>(id: String, db: Database, _ change: (inout Source) throws -> T) throws -> (Source, T) {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM sources WHERE id = ?"), arguments: [id])
        else { throw StoreError.sourceNotFound(id) }
        let stored = try decodeSource(row)
        var source = stored
        let result = try change(&source)
        source.id = id
        source.rejected = stored.rejected
        source.lastRejectedAt = stored.lastRejectedAt
        guard source != stored else { return (source, result) }
        try Self.requireSourceNameFree(source.name, for: id, db: db)
        try db.execute(
            sql: """
                UPDATE sources SET name = ?, provider = ?, secrets_sealed = ?, updated_at = ? WHERE id = ?
                """,
            arguments: [source.name, source.provider.rawValue, try sealSecrets(source.secrets), source.updatedAt, id])
        return (source, result)
    }

    private static func requireSourceNameFree(_ name: String, for id: String, db: Database) throws {
        let taken = try Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM sources WHERE name = ? AND id != ?)", arguments: [name, id])
        if taken == true { throw StoreError.sourceNameTaken(name) }
    }

    private func sealSecrets(_ secrets: SourceSecrets) throws -> Data {
        try sealer.seal(String(decoding: try JSONEncoder().encode(secrets), as: UTF8.self))
    }

    private func decodeSource(_ row: Row) throws -> Source {
        let secrets = try JSONDecoder().decode(
            SourceSecrets.self, from: Data(try sealer.open(row["secrets_sealed"]).utf8))
        guard let provider = InboundProvider(rawValue: row["provider"]) else {
            throw StoreError.unreadable(
                "source \(row["id"] as String) has the unknown provider \(row["provider"] as String)")
        }
        var source = Source(id: row["id"], name: row["name"], provider: provider, secret: "", now: row["created_at"])
        source.secrets = secrets
        source.rejected = row["rejected"]
        source.lastRejectedAt = row["last_rejected_at"]
        source.updatedAt = row["updated_at"]
        return source
    }
}
