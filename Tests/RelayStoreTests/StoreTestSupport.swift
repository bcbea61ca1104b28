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

extension AuditStore {
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
