import Foundation
import RelayCore
import Testing

@testable import RelayStore

/// A request the store cannot take is refused whole, and nothing of it is stored.
@Suite("AuditStore ingest limits")
struct IngestLimitTests {
    @Test("over maxQueued: queueFull, nothing of the request stored, earlier requests kept")
    func queueLimitRefusesTheWholeRequest() async throws {
        try await withTemporaryStore { store, _ in
            let ids = try await store.declare([
                try webhookSpec("one", events: ["user.*"]),
                try webhookSpec("two", events: ["user.*"]),
            ])
            let first = try await store.ingest([sampleEvent("a"), sampleEvent("b")], maxQueued: 5)
            #expect(first.accepted == 2)
            #expect(store.pendingMessageCount == 4)

            await #expect(throws: StoreError.queueFull(limit: 5)) {
                try await store.ingest([sampleEvent("c"), sampleEvent("d")], maxQueued: 5)
            }
            await #expect(throws: StoreError.queueFull(limit: 5)) {
                try await store.ingest([sampleEvent("e")], maxQueued: 5)
            }
            #expect(try await store.eventCount(includingOwn: false) == 2)
            #expect(try await store.storedBody(of: "c") == nil)
            #expect(try await store.storedBody(of: "e") == nil)
            #expect(store.pendingMessageCount == 4)
            #expect(try await store.claimAll(ids["one"]).map(\.event.id) == ["a", "b"])

            // The refused request took no sequence numbers and can be sent again once there is room.
            let retried = try await store.ingest([sampleEvent("c")], maxQueued: 6)
            #expect(retried.accepted == 1)
            #expect(try await store.claimAll(ids["two"]).map(\.sequence) == [1, 2, 3])
        }
    }

    @Test("duplicates alone are accepted even when the queue is full")
    func duplicatesNeedNoRoom() async throws {
        try await withTemporaryStore { store, _ in
            try await store.declare([try webhookSpec("one", events: ["*"])])
            try await store.ingest([sampleEvent("a"), sampleEvent("b")], maxQueued: 2)
            let again = try await store.ingest([sampleEvent("a")], maxQueued: 2)
            #expect(again == IngestReceipt(accepted: 0, duplicates: 1, ids: ["a"]))
        }
    }

    @Test("a full store throws storageFull; what was acknowledged stays readable, the refused request is absent")
    func storageFullKeepsAcknowledgedEvents() async throws {
        try await withTemporaryStore(maximumSizeBytes: 200_000) { store, _ in
            let ids = try await store.declare([try webhookSpec("all", events: ["*"])])
            var acknowledged: [AuditEvent] = []
            var refused: [AuditEvent]?
            for index in 0..<200 {
                let batch = [
                    sampleEvent("big-\(index)-a", padding: 8_000), sampleEvent("big-\(index)-b", padding: 8_000),
                ]
                do {
                    try await store.ingest(batch)
                    acknowledged += batch
                } catch let error as StoreError {
                    #expect(error == .storageFull)
                    refused = batch
                    break
                }
            }
            let failed = try #require(refused, "the store never reported being full")
            #expect(!acknowledged.isEmpty)

            #expect(try await store.eventCount(includingOwn: false) == acknowledged.count)
            for event in acknowledged {
                #expect(try await store.storedBody(of: event.id) == event.body)
            }
            for event in failed {
                #expect(try await store.storedBody(of: event.id) == nil)
            }
            #expect(store.pendingMessageCount == acknowledged.count)
            let queued = try await store.claimAll(ids["all"])
            #expect(queued.map(\.event) == acknowledged)
            #expect(queued.map(\.sequence) == Array(1...Int64(acknowledged.count)))
        }
    }

    @Test("after storageFull the store still opens and reads the acknowledged events")
    func storageFullSurvivesReopen() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        var acknowledged: [String] = []
        do {
            let store = try temporary.open(maximumSizeBytes: 200_000)
            for index in 0..<200 {
                do {
                    try await store.ingest([sampleEvent("e\(index)", padding: 12_000)])
                    acknowledged.append("e\(index)")
                } catch StoreError.storageFull {
                    break
                }
            }
            try store.closeFile()
        }
        #expect(!acknowledged.isEmpty)
        let reopened = try temporary.open()
        defer { try? reopened.closeFile() }
        #expect(try await reopened.eventCount(includingOwn: false) == acknowledged.count)
        #expect(try await reopened.storedBody(of: acknowledged.last!) != nil)
        #expect(try await reopened.storedBody(of: "e\(acknowledged.count)") == nil)
    }
}
