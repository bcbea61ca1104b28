import Crypto
import Foundation
import GRDB
import RelayCore
import RelayTestSupport
import Testing

@testable import RelayStore

/// A store file in a fresh temporary directory, removed when the test ends.
struct TemporaryStore {
    let directory: URL
    let sealer = SecretSealer(key: SymmetricKey(size: .bits256))

    init() throws {
        directory = try TestFixtures.temporaryDirectory()
    }

    var path: String { directory.appendingPathComponent("auditrelay.sqlite").path }

    /// Opens (or reopens) the store file.
    func open(maximumSizeBytes: Int? = nil) throws -> AuditStore {
        try AuditStore(path: path, sealer: sealer, maximumSizeBytes: maximumSizeBytes)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Runs `body` with a new store in a temporary directory, and removes the directory afterwards.
func withTemporaryStore<T>(
    maximumSizeBytes: Int? = nil, _ body: (AuditStore, TemporaryStore) async throws -> T
) async throws -> T {
    let temporary = try TemporaryStore()
    defer { temporary.remove() }
    let store = try temporary.open(maximumSizeBytes: maximumSizeBytes)
    defer { try? store.closeFile() }
    return try await body(store, temporary)
}

/// Webhook ids by name; a missing name is a recorded issue.
struct WebhookIDs {
    let byName: [String: String]

    subscript(name: String) -> String {
        guard let id = byName[name] else {
            Issue.record("no webhook is named \(name)")
            return "wh_missing"
        }
        return id
    }
}

/// Fixed times (Unix milliseconds) so claims and schedules are predictable.
enum Times {
    static let received: Int64 = 1_700_000_000_000
    static let later: Int64 = received + 60_000
    static let farFuture: Int64 = received + 86_400_000
}

/// An event with a small JSON body, or one padded to about `padding` bytes.
func sampleEvent(_ id: String, type: String = "user.login", padding: Int = 0) -> AuditEvent {
    let filler = String(repeating: "x", count: padding)
    let body = #"{"id":"\#(id)","type":"\#(type)","actor":"alice","filler":"\#(filler)"}"#
    return AuditEvent(id: id, type: type, occurredAt: Times.received, body: Data(body.utf8))
}

/// A custom webhook spec subscribed to `events`.
func webhookSpec(
    _ name: String, events: [String], url: String = "https://receiver.example.com/hook", enabled: Bool = true,
    secrets: [String] = [], authorization: String? = nil
) throws -> WebhookSpec {
    WebhookSpec(
        name: name, url: url, events: try events.map { try EventTypePattern(parsing: $0) }, secrets: secrets,
        authorization: authorization, enabled: enabled)
}

/// Who makes the changes these tests make straight on the store, for their audit events.
let testOrigin = ChangeOrigin(actor: .token(fingerprint: "0123456789ab"), clientAddress: "127.0.0.1")

extension AuditStore {
    /// Stores `source`, recorded as created by ``testOrigin``.
    func createSource(_ source: Source) async throws {
        try await createSource(
            source, recording: RelayAuditEvent(.sourceCreated, by: testOrigin, target: .source(source)))
    }

    /// Changes a source, recorded as updated by ``testOrigin``.
    func modifySource<T: Sendable>(id: String, _ change: @escaping @Sendable (inout Source) throws -> T)
        async throws -> (source: Source, result: T)
    {
        try await modifySource(
            id: id, recording: { RelayAuditEvent(.sourceUpdated, by: testOrigin, target: .source($1)) }, change)
    }

    /// Deletes a source, recorded by ``testOrigin``; returns whether it existed.
    func deleteSource(id: String) async throws -> Bool {
        try await deleteSource(id: id) { RelayAuditEvent(.sourceDeleted, by: testOrigin, target: .source($0)) } != nil
    }

    /// Resumes a webhook, recorded by ``testOrigin``.
    func resumeWebhook(id: String, now: Int64) async throws -> Webhook? {
        try await resumeWebhook(id: id, now: now) { _, after in
            RelayAuditEvent(.webhookResumed, by: testOrigin, target: .webhook(after))
        }
    }

    /// The relay's own events stored so far (SPEC §13), oldest first, as JSON objects.
    func ownEvents() async throws -> [[String: Any]] {
        let bodies = try await pool.read { db in
            try Data.fetchAll(db, sql: "SELECT body FROM events WHERE type LIKE 'auditrelay.%' ORDER BY seq")
        }
        return try bodies.map { try #require(try JSONSerialization.jsonObject(with: $0) as? [String: Any]) }
    }

    /// Declares `specs` and returns the webhook ids by name.
    @discardableResult
    func declare(_ specs: [WebhookSpec], now: Int64 = Times.received) async throws -> WebhookIDs {
        try await applyDeclared(specs, now: now)
        return WebhookIDs(byName: Dictionary(uniqueKeysWithValues: try await webhooks().map { ($0.name, $0.id) }))
    }

    /// Closes the database file, checkpointing its WAL.
    func closeFile() throws {
        try pool.close()
    }

    /// Every message of a webhook that is due at `now`, leased for a minute.
    func claimAll(_ webhookID: String, now: Int64 = Times.received) async throws -> [QueuedMessage] {
        try await claimDue(webhookID: webhookID, limit: 10_000, now: now)
    }

    /// Ingests `events` at `Times.received` with no practical queue limit.
    @discardableResult
    func ingest(_ events: [AuditEvent], maxQueued: Int = 1_000_000) async throws -> IngestReceipt {
        try await ingest(events, receivedAt: Times.received, maxQueued: maxQueued)
    }

    /// The stored body of the event `id`, if it is stored.
    func storedBody(of id: String) async throws -> Data? {
        try await pool.read { db in try Data.fetchOne(db, sql: "SELECT body FROM events WHERE id = ?", arguments: [id])
        }
    }
}

/// The record of an attempt on `message` that ended with `decision`.
func attemptRecord(
    _ message: QueuedMessage, _ decision: AttemptDecision, startedAt: Int64 = Times.later, httpStatus: Int? = 200,
    error: String? = nil, responseBody: [UInt8] = Array("ok".utf8)
) -> AttemptRecord {
    AttemptRecord(
        webhookName: "audit-sink", startedAt: startedAt, durationMillis: 42, httpStatus: httpStatus,
        responseBody: responseBody, messages: [MessageOutcome(message: message, decision: decision, error: error)])
}
