import Crypto
import Foundation
import GRDB
import RelayCore

/// Which API an access token opens.
public enum TokenRole: String, Sendable, CaseIterable {
    case admin
    case ingest
}

extension AuditStore {
    /// The SHA-256 hashes (hex) of the tokens the relay generated for `role`.
    public func tokenHashes(role: TokenRole) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT hash FROM tokens WHERE role = ? ORDER BY created_at", arguments: [role.rawValue])
        }
    }

    /// Stores the hash of a generated token; the token itself is never stored.
    public func addTokenHash(_ hash: String, role: TokenRole, now: Int64) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO tokens (hash, role, created_at) VALUES (?, ?, ?) ON CONFLICT(hash) DO NOTHING",
                arguments: [hash, role.rawValue, now])
        }
    }
}
