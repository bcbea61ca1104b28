import Foundation
import GRDB
import RelayCore

extension AuditStore {
    /// Every webhook, with its secrets decrypted, ordered by name.
    public func webhooks() async throws -> [Webhook] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM webhooks ORDER BY name").map(self.decodeWebhook)
        }
    }

    /// The webhook with `id`, if any.
    public func webhook(id: String) async throws -> Webhook? {
        try await pool.read { db in try self.webhook(id: id, db: db) }
    }

    /// The webhook with `id`, if any, inside a read or a write.
    func webhook(id: String, db: Database) throws -> Webhook? {
        try Row.fetchOne(db, sql: "SELECT * FROM webhooks WHERE id = ?", arguments: [id]).map(decodeWebhook)
    }

    /// Brings the webhooks declared in the configuration file into the store, matched by name:
    /// new ones are created, changed ones updated (their queue and sequence kept), and ones
    /// declared before but gone from the file are disabled, never deleted, so their queues survive.
    ///
    /// - Returns: the names created, updated and disabled.
    @discardableResult
    public func applyDeclared(_ specs: [WebhookSpec], now: Int64) async throws -> DeclaredWebhookChanges {
        let existing = try await webhooks()
        let byName = Dictionary(existing.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let declaredNames = try await pool.read { db in
            try String.fetchSet(db, sql: "SELECT name FROM webhooks WHERE declared = 1")
        }
        var changes = DeclaredWebhookChanges()
        // A new webhook carries the record of its creation (SPEC §13, by the configuration
        // file), written just before its row, as ``createWebhook(_:recording:)`` does: it goes
        // to the webhooks already there, those created earlier in this list among them.
        // Changes are recorded after every row is written; nothing when only the declared flag
        // changes.
        var writes: [(webhook: Webhook, creation: RelayAuditEvent?)] = []
        var events: [RelayAuditEvent] = []
        for spec in specs {
            if let current = byName[spec.name] {
                let updated = spec.applied(to: current, now: now)
                if updated != current || !declaredNames.contains(spec.name) {
                    writes.append((updated, nil))
                    changes.updated.append(spec.name)
                    let fields = updated.changedFields(since: current)
                    if !fields.isEmpty {
                        events.append(.init(.webhookUpdated, by: .config, target: .webhook(updated), changes: fields))
                    }
                }
            } else {
                let created = spec.makeWebhook(id: Identifier.make(prefix: "wh_", millis: now), now: now)
                writes.append((created, .init(.webhookCreated, by: .config, target: .webhook(created))))
                changes.created.append(spec.name)
            }
        }
        let specNames = Set(specs.map(\.name))
        for name in declaredNames.subtracting(specNames).sorted() {
            guard var webhook = byName[name], webhook.state != .disabled else { continue }
            webhook.state = .disabled
            webhook.stateReason = WebhookSpec.removedFromFileReason
            webhook.updatedAt = now
            writes.append((webhook, nil))
            changes.disabled.append(name)
            events.append(
                .init(
                    .webhookDisabled, by: .config, target: .webhook(webhook), changes: ["enabled"],
                    reason: WebhookSpec.removedFromFileReason))
        }
        let encoded = try writes.map {
            (try encodeWebhook($0.webhook), $0.creation, specNames.contains($0.webhook.name))
        }
        let changed = events
        let queuedFor = try await write { db in
            var queuedFor = Set<String>()
            for (columns, creation, declared) in encoded {
                var columns = columns
                columns["declared"] = declared.databaseValue
                if let creation { queuedFor.formUnion(try self.insert(creation, db: db)) }
                try Self.save(columns, isNew: creation != nil, db: db)
            }
            for event in changed { queuedFor.formUnion(try self.insert(event, db: db)) }
            return queuedFor
        }
        if !writes.isEmpty { self.changes.webhooksChanged() }
        announce(queuedFor)
        return changes
    }

    static func save(_ columns: [String: DatabaseValue], isNew: Bool, db: Database) throws {
        let names = columns.keys.sorted()
        let values = StatementArguments(names.map { columns[$0]! })
        if isNew {
            try db.execute(
                sql: "INSERT INTO webhooks (\(names.joined(separator: ", "))) VALUES (\(placeholders(names.count)))",
                arguments: values)
        } else {
            let assignments = names.filter { $0 != "id" }.map { "\($0) = :\($0)" }.joined(separator: ", ")
            try db.execute(
                sql: "UPDATE webhooks SET \(assignments) WHERE id = :id",
                arguments: StatementArguments(columns.mapValues { $0 as (any DatabaseValueConvertible)? }))
        }
    }

    /// The columns of a webhook row; secrets, authorization, OAuth client credentials, the
    /// client certificate's key and a Slack webhook's URL sealed (`url` then holds the URL as
    /// reads show it).
    func encodeWebhook(_ webhook: Webhook) throws -> [String: DatabaseValue] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        func json(_ value: (some Encodable)?) throws -> DatabaseValue {
            try value.map { String(decoding: try encoder.encode($0), as: UTF8.self) }.databaseValue
        }
        let secrets =
            webhook.secrets.isEmpty
            ? nil : try sealer.seal(String(decoding: try encoder.encode(webhook.secrets), as: UTF8.self))
        return [
            "id": webhook.id.databaseValue,
            "name": webhook.name.databaseValue,
            "kind": webhook.kind.rawValue.databaseValue,
            "url": Redaction.url(webhook.url, kind: webhook.kind).databaseValue,
            "url_sealed": try (webhook.kind == .slack ? sealer.seal(webhook.url) : nil).databaseValue,
            "events": String(decoding: try encoder.encode(webhook.events), as: UTF8.self).databaseValue,
            "format": webhook.format.rawValue.databaseValue,
            "secrets_sealed": secrets.databaseValue,
            "authorization_sealed": try webhook.authorization.map(sealer.seal).databaseValue,
            "headers": String(decoding: try encoder.encode(webhook.headers), as: UTF8.self).databaseValue,
            "state": webhook.state.rawValue.databaseValue,
            "state_reason": webhook.stateReason.databaseValue,
            "allow_private_network": webhook.allowPrivateNetwork.databaseValue,
            "hub_signature": webhook.hubSignature.databaseValue,
            "splunk": try json(webhook.splunk),
            "batch": try json(webhook.batch),
            "auth_sealed": try webhook.auth.map {
                try sealer.seal(String(decoding: try encoder.encode($0), as: UTF8.self))
            }.databaseValue,
            "client_certificate": webhook.clientCertificate?.certificatePEM.databaseValue ?? .null,
            "client_key_sealed": try webhook.clientCertificate.map { try sealer.seal($0.keyPEM) }.databaseValue,
            "slack": try json(webhook.slack),
            "created_at": webhook.createdAt.databaseValue,
            "updated_at": webhook.updatedAt.databaseValue,
        ]
    }

    func decodeWebhook(_ row: Row) throws -> Webhook {
        let decoder = JSONDecoder()
        let secrets: [String] =
            try (row["secrets_sealed"] as Data?).map {
                try decoder.decode([String].self, from: Data(try sealer.open($0).utf8))
            } ?? []
        return Webhook(
            id: row["id"], name: row["name"], kind: WebhookKind(rawValue: row["kind"]) ?? .custom,
            url: try (row["url_sealed"] as Data?).map(sealer.open) ?? row["url"],
            events: try decoder.decode([EventTypePattern].self, from: Data((row["events"] as String).utf8)),
            format: MessageFormat(rawValue: row["format"]) ?? .json, secrets: secrets,
            authorization: try (row["authorization_sealed"] as Data?).map(sealer.open),
            headers: try decoder.decode([String: String].self, from: Data((row["headers"] as String).utf8)),
            state: WebhookState(rawValue: row["state"]) ?? .active, stateReason: row["state_reason"],
            allowPrivateNetwork: row["allow_private_network"], hubSignature: row["hub_signature"],
            splunk: try (row["splunk"] as String?).map { try decoder.decode(SplunkFields.self, from: Data($0.utf8)) },
            batch: try (row["batch"] as String?).map { try decoder.decode(BatchSettings.self, from: Data($0.utf8)) },
            auth: try (row["auth_sealed"] as Data?).map {
                try decoder.decode(OAuth2ClientCredentials.self, from: Data(try sealer.open($0).utf8))
            },
            clientCertificate: try clientCertificate(
                certificatePEM: row["client_certificate"], sealedKey: row["client_key_sealed"]),
            slack: try (row["slack"] as String?).map {
                try decoder.decode(SlackInstallation.self, from: Data($0.utf8))
            },
            createdAt: row["created_at"], updatedAt: row["updated_at"])
    }

    private func clientCertificate(certificatePEM: String?, sealedKey: Data?) throws -> ClientCertificate? {
        guard let certificatePEM, let sealedKey else { return nil }
        return try ClientCertificate(certificatePEM: certificatePEM, keyPEM: try sealer.open(sealedKey))
    }
}

/// What ``AuditStore/applyDeclared(_:now:)`` changed, by webhook name.
public struct DeclaredWebhookChanges: Sendable, Equatable {
    public var created: [String] = []
    public var updated: [String] = []
    public var disabled: [String] = []

    public init() {}
}

extension AuditStore {
    /// Seals the URLs of Slack webhooks an older relay stored in plain text (before
    /// `11-slack-urls-sealed`), leaving in `url` only what reads show. The old text is zeroed where
    /// it lay (`secure_delete`) and the WAL is emptied, so the file keeps no copy of it.
    static func sealPlainSlackURLs(pool: DatabasePool, sealer: SecretSealer) throws {
        try pool.writeWithoutTransaction { db in
            let plain = try Row.fetchAll(
                db, sql: "SELECT id, url FROM webhooks WHERE kind = 'slack' AND url_sealed IS NULL")
            guard !plain.isEmpty else { return }
            try db.execute(sql: "PRAGMA secure_delete = ON")
            defer { try? db.execute(sql: "PRAGMA secure_delete = OFF") }
            try db.inTransaction {
                for row in plain {
                    let url: String = row["url"]
                    try db.execute(
                        sql: "UPDATE webhooks SET url = ?, url_sealed = ? WHERE id = ?",
                        arguments: [Redaction.url(url, kind: .slack), try sealer.seal(url), row["id"] as String])
                }
                return .commit
            }
            try db.checkpoint(.truncate)
        }
    }
}
