import Foundation
import GRDB
import RelayCore

extension AuditStore {
    /// Stores a new source, its secrets sealed, and `event` (its `created` audit event) in the
    /// same transaction.
    ///
    /// - Throws: ``StoreError/sourceNameTaken(_:)`` when another source has the name.
    public func createSource(_ source: Source, recording event: RelayAuditEvent) async throws {
        let sealed = try sealSecrets(source.secrets)
        let queuedFor = try await write { db in
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
            return try self.insert(event, db: db)
        }
        announce(queuedFor)
    }

    /// Every source, by name.
    public func sources() async throws -> [Source] {
        let rows = try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM sources ORDER BY name") }
        return try rows.map(decodeSource)
    }

    /// The source with `id`, or `nil`.
    public func source(id: String) async throws -> Source? {
        try await pool.read { db in try self.source(id: id, db: db) }
    }

    /// Changes a source atomically: reads it, applies `change` and writes it back in one
    /// transaction, with the audit event `recording` makes of the source before and after (none
    /// when it answers `nil`). Its counts of refusals are kept; an error thrown by `change` leaves
    /// it untouched and records nothing.
    ///
    /// - Throws: ``StoreError/sourceNotFound(_:)``, ``StoreError/sourceNameTaken(_:)``, or what
    ///   `change` throws.
    public func modifySource<T: Sendable>(
        id: String, recording: @escaping @Sendable (_ before: Source, _ after: Source) -> RelayAuditEvent?,
        _ change: @escaping @Sendable (inout Source) throws -> T
    ) async throws -> (source: Source, result: T) {
        let (source, result, queuedFor) = try await write { db -> (Source, T, Set<String>) in
            let (before, after, result) = try self.modifySource(id: id, db: db, change)
            return (after, result, try recording(before, after).map { try self.insert($0, db: db) } ?? [])
        }
        announce(queuedFor)
        return (source, result)
    }

    /// Reads the source with `id` to show its secret, storing the audit event `recording` makes of
    /// it in the same transaction: a token is never shown without the record that it was.
    ///
    /// - Returns: the source, or `nil` when there is none with `id`.
    public func revealSource(id: String, recording: @escaping @Sendable (Source) -> RelayAuditEvent) async throws
        -> Source?
    {
        let (source, queuedFor) = try await write { db -> (Source?, Set<String>) in
            guard let source = try self.source(id: id, db: db) else { return (nil, []) }
            return (source, try self.insert(recording(source), db: db))
        }
        announce(queuedFor)
        return source
    }

    /// Deletes a source, with the audit event `recording` makes of it in the same transaction; the
    /// events it sent stay.
    ///
    /// - Returns: the source deleted, or `nil` when there is none with `id`.
    @discardableResult
    public func deleteSource(id: String, recording: @escaping @Sendable (Source) -> RelayAuditEvent) async throws
        -> Source?
    {
        let (deleted, queuedFor) = try await write { db -> (Source?, Set<String>) in
            guard let source = try self.source(id: id, db: db) else { return (nil, []) }
            try db.execute(sql: "DELETE FROM sources WHERE id = ?", arguments: [id])
            return (source, try self.insert(recording(source), db: db))
        }
        announce(queuedFor)
        return deleted
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
            let (before, after, accepted) = try self.modifySource(id: sourceID, db: db) { verified(&$0.secrets) }
            guard accepted else { throw StoreError.secretNotAccepted }
            var (receipt, queuedFor) = try self.insert([event], receivedAt: receivedAt, maxQueued: maxQueued, db: db)
            if let changed = RelayAuditEvent.statusChange(of: after, from: before.secrets.status) {
                queuedFor.formUnion(try self.insert(changed, db: db))
            }
            return (receipt, queuedFor)
        }
        announce(queuedFor)
        return receipt
    }

    /// Brings every source's secret status up to date at `now` (a rotation whose grace ended), in
    /// one write with an audit event for each change (SPEC §13); returns the sources whose status
    /// changed in it.
    public func refreshSources(now: Int64) async throws -> [Source] {
        let (changed, queuedFor) = try await write { db -> ([Source], Set<String>) in
            var changed: [Source] = []
            var queuedFor: Set<String> = []
            for id in try String.fetchAll(db, sql: "SELECT id FROM sources") {
                let (before, after, _) = try self.modifySource(id: id, db: db) { $0.secrets.refresh(now: now) }
                guard let event = RelayAuditEvent.statusChange(of: after, from: before.secrets.status) else { continue }
                changed.append(after)
                queuedFor.formUnion(try self.insert(event, db: db))
            }
            return (changed, queuedFor)
        }
        announce(queuedFor)
        return changed
    }

    /// The source with `id` as stored, inside a write.
    private func source(id: String, db: Database) throws -> Source? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM sources WHERE id = ?"), arguments: [id])
            .map(decodeSource)
    }

    /// Applies `change` to the source with `id` and writes it back when it changed; returns the
    /// source as stored before, as written, and what `change` returned.
    private func modifySource<T>(id: String, db: Database, _ change: (inout Source) throws -> T) throws
        -> (before: Source, after: Source, result: T)
    {
        guard let stored = try source(id: id, db: db) else { throw StoreError.sourceNotFound(id) }
        var source = stored
        let result = try change(&source)
        source.id = id
        source.rejected = stored.rejected
        source.lastRejectedAt = stored.lastRejectedAt
        guard source != stored else { return (stored, source, result) }
        try Self.requireSourceNameFree(source.name, for: id, db: db)
        try db.execute(
            sql: """
                UPDATE sources SET name = ?, provider = ?, secrets_sealed = ?, updated_at = ? WHERE id = ?
                """,
            arguments: [source.name, source.provider.rawValue, try sealSecrets(source.secrets), source.updatedAt, id])
        return (stored, source, result)
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
