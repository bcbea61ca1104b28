import Foundation
import GRDB
import RelayCore
import RelayTestSupport
import Testing

@testable import RelayStore

/// SPEC §13 in the store: a change and the record of it are written in one transaction, so
/// neither is ever stored without the other; a refused change records nothing.
@Suite("AuditStore: the relay's own events")
struct OwnEventsStoreTests {
    /// Makes every insert into `events` fail, as a full disk or an I/O error would, until the
    /// returned function is called.
    private func refuseEvents(_ store: AuditStore) async throws -> () async throws -> Void {
        try await store.pool.write { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER refuse_events BEFORE INSERT ON events
                    BEGIN SELECT RAISE(ABORT, 'no room for the event'); END
                    """)
        }
        return { try await store.pool.write { db in try db.execute(sql: "DROP TRIGGER refuse_events") } }
    }

    private func record(_ type: RelayEventType, _ webhook: Webhook) -> RelayAuditEvent {
        RelayAuditEvent(type, by: testOrigin, target: .webhook(webhook))
    }

    @Test("when its record cannot be written, no change is stored: create, modify, resume, delete")
    func webhookChangesFailWithTheirRecord() async throws {
        try await withTemporaryStore { store, _ in
            let ids = try await store.declare([try webhookSpec("siem", events: ["user.*"])])
            let stored = try #require(try await store.webhook(id: ids["siem"]))
            try await store.ingest([sampleEvent("e1")])
            let recordsBefore = try await store.ownEvents().count
            let allow = try await refuseEvents(store)

            var other = stored
            other.id = "wh_other"
            other.name = "other"
            await #expect(throws: DatabaseError.self) {
                try await store.createWebhook(other, recording: record(.webhookCreated, other))
            }
            await #expect(throws: DatabaseError.self) {
                try await store.modifyWebhook(id: stored.id, recording: { _, after in record(.webhookUpdated, after) })
                {
                    $0.url = "https://elsewhere.example.com/in"
                }
            }
            await #expect(throws: DatabaseError.self) {
                try await store.deleteWebhook(id: stored.id) { record(.webhookDeleted, $0) }
            }
            await #expect(throws: DatabaseError.self) {
                try await store.resumeWebhook(id: stored.id, now: Times.later) { record(.webhookResumed, $1) }
            }
            #expect(try await store.webhooks() == [stored], "nothing of any change was kept")
            #expect(store.pendingMessageCount == 1, "the refused delete left its queue and its count")
            #expect(try await store.claimAll(stored.id).map(\.event.id) == ["e1"])

            try await allow()
            let (changed, _) = try await store.modifyWebhook(
                id: stored.id, recording: { _, after in record(.webhookUpdated, after) }
            ) { $0.url = "https://elsewhere.example.com/in" }
            #expect(try await store.webhook(id: stored.id) == changed)
            let records = try await store.ownEvents()
            #expect(records.count == recordsBefore + 1)
            #expect(records.last?["type"] as? String == "auditrelay.webhook.updated")
        }
    }

    @Test("when its record cannot be written, no source change is stored, and no token is shown")
    func sourceChangesFailWithTheirRecord() async throws {
        try await withTemporaryStore { store, _ in
            let source = Source(name: "acme", provider: .github, secret: "whsec_one", now: 0)
            try await store.createSource(source)
            let allow = try await refuseEvents(store)
            let second = Source(name: "second", provider: .jira, secret: "whsec_two", now: 0)
            await #expect(throws: DatabaseError.self) { try await store.createSource(second) }
            await #expect(throws: DatabaseError.self) {
                try await store.modifySource(id: source.id) { $0.secrets.rotate(to: "whsec_new", grace: 0, now: 1) }
            }
            await #expect(throws: DatabaseError.self) {
                try await store.revealSource(id: source.id) {
                    RelayAuditEvent(.sourceSecretRevealed, by: testOrigin, target: .source($0))
                }
            }
            await #expect(throws: DatabaseError.self) { try await store.deleteSource(id: source.id) }
            #expect(try await store.sources() == [source])
            try await allow()
        }
    }

    @Test("a change refused by its own rules records nothing")
    func refusedChangeRecordsNothing() async throws {
        struct Refused: Error {}
        try await withTemporaryStore { store, _ in
            let ids = try await store.declare([try webhookSpec("siem", events: ["*"])])
            let before = try await store.ownEvents().count
            await #expect(throws: Refused.self) {
                try await store.modifyWebhook(
                    id: ids["siem"], recording: { _, after in record(.webhookUpdated, after) }
                ) {
                    _ in throw Refused()
                }
            }
            let (_, _) = try await store.modifyWebhook(id: ids["siem"], recording: { _, _ in nil }) { _ in }
            #expect(try await store.ownEvents().count == before)
            #expect(store.pendingMessageCount == 0)
        }
    }

    @Test("a full queue refuses ingest, never an operator's change or its record")
    func fullQueueTakesTheRecord() async throws {
        try await withTemporaryStore { store, _ in
            let ids = try await store.declare([try webhookSpec("siem", events: ["*"])])
            try await store.ingest([sampleEvent("e1"), sampleEvent("e2")], maxQueued: 2)
            await #expect(throws: StoreError.queueFull(limit: 2)) {
                try await store.ingest([sampleEvent("e3")], maxQueued: 2)
            }
            let deleted = try await store.deleteWebhook(id: ids["siem"]) { record(.webhookDeleted, $0) }
            #expect(deleted?.name == "siem")
            #expect(try await store.ownEvents().last?["type"] as? String == "auditrelay.webhook.deleted")
        }
    }

    @Test("a verified inbound request that makes a source SECURE records the change, by the relay, in its write")
    func inboundStatusChange() async throws {
        try await withTemporaryStore { store, _ in
            let source = Source(name: "acme", provider: .github, secret: "whsec_one", now: 0)
            try await store.createSource(source)
            let event = AuditEvent(id: "github:1", type: "github.push", occurredAt: 1, body: Data(#"{"a":1}"#.utf8))
            _ = try await store.ingestInbound(event, sourceID: source.id, receivedAt: 1, maxQueued: 100) {
                $0.verified(sender: "acme/api", secret: "whsec_one", now: 1)
            }
            let record = try #require(try await store.ownEvents().last)
            #expect(record["type"] as? String == "auditrelay.source.status_changed")
            #expect(record["actor"] as? [String: String] == ["kind": "relay"])
            #expect(record["status"] as? [String: String] == ["from": "PENDING", "to": "SECURE"])
            // A second request leaves the status as it is: no record.
            let again = AuditEvent(id: "github:2", type: "github.push", occurredAt: 2, body: Data(#"{"a":2}"#.utf8))
            let count = try await store.ownEvents().count
            _ = try await store.ingestInbound(again, sourceID: source.id, receivedAt: 2, maxQueued: 100) {
                $0.verified(sender: "acme/api", secret: "whsec_one", now: 2)
            }
            #expect(try await store.ownEvents().count == count)
        }
    }
}
