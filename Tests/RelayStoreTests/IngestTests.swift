import Foundation
import RelayCore
import Testing

@testable import RelayStore

/// Ingest: events stored once, one message per subscribed webhook, per-webhook sequences.
@Suite("AuditStore ingest")
struct IngestTests {
    @Test("each event is queued only for the webhooks subscribed to its type")
    func fanOutFollowsSubscriptions() async throws {
        try await withTemporaryStore { store, _ in
            let ids = try await store.declare([
                try webhookSpec("repos", events: ["repo.*"]),
                try webhookSpec("logins", events: ["user.login"]),
                try webhookSpec("billing", events: ["billing.charged"]),
                try webhookSpec("off", events: ["*"], enabled: false),
                // Last, so it takes none of the others' creation records (SPEC §13).
                try webhookSpec("all", events: ["*"]),
            ])
            let receipt = try await store.ingest([
                sampleEvent("e1", type: "user.login"),
                sampleEvent("e2", type: "repo.created"),
                sampleEvent("e3", type: "repo"),
            ])
            #expect(receipt == IngestReceipt(accepted: 3, duplicates: 0, ids: ["e1", "e2", "e3"]))
            #expect(try await store.eventCount(includingOwn: false) == 3)

            func queuedEventIDs(_ name: String) async throws -> [String] {
                try await store.claimAll(ids[name]).map(\.event.id)
            }
            #expect(try await queuedEventIDs("all") == ["e1", "e2", "e3"])
            #expect(try await queuedEventIDs("repos") == ["e2"])
            #expect(try await queuedEventIDs("logins") == ["e1"])
            #expect(try await queuedEventIDs("billing").isEmpty)
            #expect(try await queuedEventIDs("off").isEmpty)
            #expect(store.pendingMessageCount == 5)

            let statuses = try await store.messageStatuses(eventID: "e2")
            #expect(Set(statuses.map(\.webhookID)) == [ids["all"], ids["repos"]])
            #expect(statuses.allSatisfy { $0.status == .pending })
        }
    }

    @Test("the queued message carries the event exactly as stored")
    func queuedMessageCarriesTheEvent() async throws {
        try await withTemporaryStore { store, _ in
            let ids = try await store.declare([try webhookSpec("all", events: ["*"])])
            let event = sampleEvent("evt-1", type: "user.login", padding: 100)
            try await store.ingest([event])
            let message = try #require(try await store.claimAll(ids["all"]).first)
            #expect(message.event == event)
            #expect(message.id.hasPrefix("msg_"))
            #expect(message.attempt == 1)
            #expect(message.createdAt == Times.received)
            #expect(try await store.storedBody(of: "evt-1") == event.body)
        }
    }

    @Test("sequence numbers are 1, 2, 3… per webhook, independent across webhooks")
    func sequencesArePerWebhook() async throws {
        try await withTemporaryStore { store, _ in
            let ids = try await store.declare([
                try webhookSpec("logins", events: ["user.login"]),
                try webhookSpec("all", events: ["*"]),
            ])
            try await store.ingest([sampleEvent("a1", type: "repo.created"), sampleEvent("a2", type: "user.login")])
            try await store.ingest([sampleEvent("b1", type: "user.login")])
            try await store.ingest([sampleEvent("c1", type: "repo.deleted"), sampleEvent("c2", type: "user.login")])

            let all = try await store.claimAll(ids["all"])
            #expect(all.map(\.sequence) == [1, 2, 3, 4, 5])
            #expect(all.map(\.event.id) == ["a1", "a2", "b1", "c1", "c2"])
            let logins = try await store.claimAll(ids["logins"])
            #expect(logins.map(\.sequence) == [1, 2, 3])
            #expect(logins.map(\.event.id) == ["a2", "b1", "c2"])
            #expect(Set(all.map(\.id)).isDisjoint(with: logins.map(\.id)))
        }
    }

    @Test("a duplicate id is reported, not queued again, within a request and across requests")
    func duplicatesAreNotQueuedAgain() async throws {
        try await withTemporaryStore { store, _ in
            let ids = try await store.declare([try webhookSpec("all", events: ["*"])])
            let first = try await store.ingest([
                sampleEvent("z"), sampleEvent("dup"), sampleEvent("dup"), sampleEvent("a"),
            ])
            #expect(first == IngestReceipt(accepted: 3, duplicates: 1, ids: ["z", "dup", "dup", "a"]))

            let second = try await store.ingest([sampleEvent("a"), sampleEvent("new"), sampleEvent("z")])
            #expect(second == IngestReceipt(accepted: 1, duplicates: 2, ids: ["a", "new", "z"]))

            #expect(try await store.eventCount(includingOwn: false) == 4)
            #expect(store.pendingMessageCount == 4)
            let queued = try await store.claimAll(ids["all"])
            #expect(queued.map(\.event.id) == ["z", "dup", "a", "new"])
            #expect(queued.map(\.sequence) == [1, 2, 3, 4])
            #expect(try await store.messageStatuses(eventID: "dup").count == 1)
        }
    }

    @Test("a duplicate keeps the first body")
    func duplicateKeepsFirstBody() async throws {
        try await withTemporaryStore { store, _ in
            let original = sampleEvent("same", type: "user.login")
            try await store.ingest([original])
            let receipt = try await store.ingest([sampleEvent("same", type: "user.logout", padding: 10)])
            #expect(receipt.duplicates == 1)
            #expect(try await store.storedBody(of: "same") == original.body)
        }
    }

    @Test("200 concurrent ingests all succeed and every event is stored exactly once")
    func concurrentIngestsShareCommits() async throws {
        try await withTemporaryStore { store, _ in
            let ids = try await store.declare([try webhookSpec("all", events: ["*"])])
            let receipts = try await withThrowingTaskGroup(of: IngestReceipt.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        try await store.ingest([sampleEvent("evt-\(index)", type: "load.test")])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(receipts.count == 200)
            #expect(receipts.allSatisfy { $0.accepted == 1 && $0.duplicates == 0 })
            #expect(Set(receipts.flatMap(\.ids)) == Set((0..<200).map { "evt-\($0)" }))
            #expect(try await store.eventCount(includingOwn: false) == 200)
            #expect(store.pendingMessageCount == 200)

            let queued = try await store.claimAll(ids["all"])
            #expect(queued.count == 200)
            #expect(Set(queued.map(\.event.id)).count == 200)
            #expect(queued.map(\.sequence) == Array(1...200))
        }
    }
}
