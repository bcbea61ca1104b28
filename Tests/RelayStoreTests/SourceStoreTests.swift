import Foundation
import GRDB
import RelayCore
import RelayTestSupport
import Testing

@testable import RelayStore

/// Inbound sources in the store (SPEC §12): kept with their secrets sealed, changed atomically,
/// and an inbound event stored in the same transaction as its source's status.
@Suite("Source store")
struct SourceStoreTests {
    private let token = "whsec_c291cmNlU0VDUkVUdG9rZW4xMjM0NTY3ODkwYWJjZA=="

    @Test("a source keeps its name, provider and secret status, and its secret is sealed on disk")
    func createAndReadBack() async throws {
        try await withTemporaryStore { store, temporary in
            let source = Source(name: "acme GitHub", provider: .github, secret: token, now: Times.received)
            try await store.createSource(source)
            #expect(try await store.source(id: source.id) == source)
            #expect(try await store.sources() == [source])
            #expect(try await store.source(id: "src_none") == nil)

            let file = try ["", "-wal"].map { suffix -> Data in
                let path = temporary.path + suffix
                return FileManager.default.fileExists(atPath: path)
                    ? try Data(contentsOf: URL(fileURLWithPath: path)) : Data()
            }.reduce(Data(), +)
            #expect(file.range(of: Data("acme GitHub".utf8)) != nil, "the scan reads the right bytes")
            #expect(file.range(of: Data("c291cmNlU0VDUkVUdG9rZW4x".utf8)) == nil, "the token is in clear")

            await #expect(throws: StoreError.sourceNameTaken("acme GitHub")) {
                try await store.createSource(Source(name: "acme GitHub", provider: .jira, secret: "x", now: 0))
            }
            #expect(try await store.sources().count == 1)
        }
    }

    @Test("a change is atomic: a refused one leaves the source as it was")
    func modify() async throws {
        try await withTemporaryStore { store, _ in
            let first = Source(name: "one", provider: .gitlab, secret: token, now: Times.received)
            let second = Source(name: "two", provider: .gitlab, secret: token, now: Times.received)
            try await store.createSource(first)
            try await store.createSource(second)

            let (rotated, _) = try await store.modifySource(id: first.id) { source in
                source.secrets.rotate(to: "whsec_new", grace: 60_000, now: Times.later)
                source.updatedAt = Times.later
            }
            #expect(rotated.secrets.status == .configuring)
            #expect(try await store.source(id: first.id) == rotated)

            await #expect(throws: StoreError.sourceNameTaken("one")) {
                try await store.modifySource(id: second.id) { $0.name = "one" }
            }
            await #expect(throws: StoreError.sourceNotFound("src_none")) {
                try await store.modifySource(id: "src_none") { $0.name = "x" }
            }
            #expect(try await store.source(id: second.id) == second)
            #expect(try await store.deleteSource(id: second.id))
            #expect(try await !store.deleteSource(id: second.id))
            #expect(try await store.sources().map(\.name) == ["one"])
        }
    }

    @Test("refusals are counted, and a change of the source keeps the count")
    func rejections() async throws {
        try await withTemporaryStore { store, _ in
            let source = Source(name: "jira", provider: .jira, secret: token, now: Times.received)
            try await store.createSource(source)
            try await store.recordRejection(sourceID: source.id, at: Times.later)
            try await store.recordRejection(sourceID: source.id, at: Times.later + 5)
            _ = try await store.modifySource(id: source.id) { $0.name = "jira cloud" }
            let read = try #require(try await store.source(id: source.id))
            #expect(read.rejected == 2)
            #expect(read.lastRejectedAt == Times.later + 5)
            #expect(read.name == "jira cloud")
        }
    }

    @Test("an inbound event and its source's status are stored together; a redelivery is a duplicate")
    func inboundEvents() async throws {
        try await withTemporaryStore { store, _ in
            let ids = try await store.declare([webhookSpec("siem", events: ["github.*"])])
            let source = Source(name: "acme", provider: .github, secret: token, now: Times.received)
            try await store.createSource(source)
            let event = sampleEvent("github:d-1", type: "github.push")
            let token = self.token
            let verified: @Sendable (inout SourceSecrets) -> Bool = {
                $0.verified(sender: "acme/api", secret: token, now: Times.later)
            }
            let first = try await store.ingestInbound(
                event, sourceID: source.id, receivedAt: Times.later, maxQueued: 100, verified: verified)
            #expect(first.accepted == 1)
            let read = try #require(try await store.source(id: source.id))
            #expect(read.secrets.status == .secure)
            #expect(read.secrets.senders["acme/api"]?.lastVerifiedAt == Times.later)
            #expect(
                try await store.claimDue(webhookID: ids["siem"], limit: 10, now: Times.later).map(\.event.id) == [
                    "github:d-1"
                ])

            let again = try await store.ingestInbound(
                event, sourceID: source.id, receivedAt: Times.later, maxQueued: 100, verified: verified)
            #expect(again == IngestReceipt(accepted: 0, duplicates: 1, ids: ["github:d-1"]))

            // A source deleted meanwhile: nothing is stored.
            #expect(try await store.deleteSource(id: source.id))
            await #expect(throws: StoreError.sourceNotFound(source.id)) {
                try await store.ingestInbound(
                    sampleEvent("github:d-2", type: "github.push"), sourceID: source.id, receivedAt: Times.later,
                    maxQueued: 100, verified: verified)
            }
            #expect(try await store.eventDetail(id: "github:d-2") == nil)
        }
    }

    @Test("a secret replaced between the check and the write stores nothing; nor does a refused insert")
    func inboundRaces() async throws {
        try await withTemporaryStore { store, _ in
            _ = try await store.declare([webhookSpec("siem", events: ["*"])])
            let source = Source(name: "acme", provider: .github, secret: token, now: Times.received)
            try await store.createSource(source)
            let token = self.token
            let verified: @Sendable (inout SourceSecrets) -> Bool = {
                $0.verified(sender: "acme/api", secret: token, now: Times.later)
            }
            // "Change secret token" with no grace lands after the route checked the old secret.
            _ = try await store.modifySource(id: source.id) {
                $0.secrets.rotate(to: "whsec_new", grace: 0, now: Times.received + 1)
            }
            await #expect(throws: StoreError.secretNotAccepted) {
                try await store.ingestInbound(
                    sampleEvent("github:r-1", type: "github.push"), sourceID: source.id, receivedAt: Times.later,
                    maxQueued: 100, verified: verified)
            }
            #expect(try await store.eventDetail(id: "github:r-1") == nil)
            #expect(try await store.source(id: source.id)?.secrets.senders.isEmpty == true)

            // The queue is full: the event is refused, and the source's status stays as it was.
            let fresh = Source(name: "fresh", provider: .github, secret: token, now: Times.received)
            try await store.createSource(fresh)
            await #expect(throws: StoreError.queueFull(limit: 0)) {
                try await store.ingestInbound(
                    sampleEvent("github:r-2", type: "github.push"), sourceID: fresh.id, receivedAt: Times.later,
                    maxQueued: 0, verified: verified)
            }
            #expect(try await store.source(id: fresh.id)?.secrets.status == .pending)
        }
    }

    @Test("the sweep ends a rotation whose grace ran out, naming the sender still on the old secret")
    func sweep() async throws {
        try await withTemporaryStore { store, _ in
            var source = Source(name: "bb", provider: .bitbucket, secret: token, now: Times.received)
            let verified = source.secrets.verified(sender: "acme/api", secret: token, now: Times.received)
            #expect(verified)
            source.secrets.rotate(to: "whsec_new", grace: 1000, now: Times.received + 10)
            try await store.createSource(source)
            #expect(try await store.refreshSources(now: Times.received + 500).isEmpty)
            let refreshed = try await store.refreshSources(now: Times.received + 2000)
            #expect(refreshed.map(\.secrets.status) == [.failed])
            #expect(refreshed.first?.secrets.lagging == ["acme/api"])
            #expect(try await store.source(id: source.id)?.secrets.status == .failed)
        }
    }
}
