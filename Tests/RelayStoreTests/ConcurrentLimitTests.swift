import Foundation
import RelayCore
import Testing

@testable import RelayStore

/// Limits under group commit: a request that shares a transaction with others is still
/// acknowledged only when it is stored.
@Suite("AuditStore limits under concurrency")
struct ConcurrentLimitTests {
    /// Ingests one event per task, concurrently, and sorts the outcomes.
    private func ingestConcurrently(
        _ store: AuditStore, _ events: [AuditEvent], maxQueued: Int
    ) async -> (stored: [AuditEvent], refused: [(AuditEvent, any Error)]) {
        await withTaskGroup(of: (AuditEvent, (any Error)?).self) { group in
            for event in events {
                group.addTask {
                    do {
                        try await store.ingest([event], maxQueued: maxQueued)
                        return (event, nil)
                    } catch {
                        return (event, error)
                    }
                }
            }
            var stored: [AuditEvent] = []
            var refused: [(AuditEvent, any Error)] = []
            for await (event, error) in group {
                if let error { refused.append((event, error)) } else { stored.append(event) }
            }
            return (stored, refused)
        }
    }

    @Test("concurrent requests over maxQueued: exactly the room is taken, the rest refused whole")
    func queueLimitUnderConcurrency() async throws {
        try await withTemporaryStore { store, _ in
            let ids = try await store.declare([try webhookSpec("all", events: ["*"])])
            let events = (0..<40).map { sampleEvent("c\($0)") }
            let outcome = await ingestConcurrently(store, events, maxQueued: 15)
            #expect(outcome.stored.count == 15)
            #expect(outcome.refused.count == 25)
            #expect(outcome.refused.allSatisfy { ($0.1 as? StoreError) == .queueFull(limit: 15) })
            #expect(try await store.eventCount(includingOwn: false) == 15)
            #expect(store.pendingMessageCount == 15)
            let queued = try await store.claimAll(ids["all"])
            #expect(Set(queued.map(\.event.id)) == Set(outcome.stored.map(\.id)))
            #expect(queued.map(\.sequence) == Array(1...15))
        }
    }

    @Test("concurrent requests filling the store: every acknowledged event is stored, no refused one is")
    func storageFullUnderConcurrency() async throws {
        try await withTemporaryStore(maximumSizeBytes: 200_000) { store, _ in
            let ids = try await store.declare([try webhookSpec("all", events: ["*"])])
            let events = (0..<60).map { sampleEvent("big-\($0)", padding: 10_000) }
            let outcome = await ingestConcurrently(store, events, maxQueued: 1_000_000)
            #expect(!outcome.stored.isEmpty)
            #expect(!outcome.refused.isEmpty)
            #expect(outcome.refused.allSatisfy { ($0.1 as? StoreError) == .storageFull })

            #expect(try await store.eventCount(includingOwn: false) == outcome.stored.count)
            for event in outcome.stored {
                #expect(try await store.storedBody(of: event.id) == event.body)
            }
            for (event, _) in outcome.refused {
                #expect(try await store.storedBody(of: event.id) == nil)
            }
            #expect(store.pendingMessageCount == outcome.stored.count)
            let queued = try await store.claimAll(ids["all"])
            #expect(Set(queued.map(\.event.id)) == Set(outcome.stored.map(\.id)))
            #expect(queued.map(\.sequence) == Array(1...Int64(outcome.stored.count)))
        }
    }
}
