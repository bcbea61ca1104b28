import Foundation
import GRDB
import RelayCore
import Testing

@testable import RelayStore

/// Retention: old attempts, finished messages and events are pruned in small batches; what is
/// still pending is kept, however old.
@Suite("AuditStore retention")
struct RetentionTests {
    /// Well before the cutoff.
    private static let old = Times.received
    /// Everything before this is old.
    private static let cutoff = Times.received + 3_600_000
    /// Well after the cutoff.
    private static let recent = Times.farFuture

    @Test("pruning removes old attempts, finished messages and events, and keeps what is pending or recent")
    func prunesOldAndKeepsPending() async throws {
        try await withTemporaryStore { store, _ in
            let ids = try await store.declare([try webhookSpec("sink", events: ["user.*"])])
            let sink = ids["sink"]
            let oldEvents = ["delivered", "failed", "expired", "pending", "late"].map { sampleEvent("old-\($0)") }
            _ = try await store.ingest(
                oldEvents + [sampleEvent("old-unrouted", type: "billing.paid")], receivedAt: Self.old,
                maxQueued: 1000)
            let claimed = try await store.claimAll(sink, now: Self.old)
            let byEvent = Dictionary(uniqueKeysWithValues: claimed.map { ($0.event.id, $0) })
            try await store.record([
                attemptRecord(byEvent["old-delivered"]!, AttemptDecision(outcome: .delivered), startedAt: Self.old),
                attemptRecord(
                    byEvent["old-failed"]!, AttemptDecision(outcome: .failed, reason: "HTTP 400"), startedAt: Self.old,
                    httpStatus: 400),
                attemptRecord(
                    byEvent["old-expired"]!, AttemptDecision(outcome: .expired, reason: "no attempts left"),
                    startedAt: Self.old),
                attemptRecord(
                    byEvent["old-pending"]!, AttemptDecision(outcome: .retrying, nextAttemptAt: Self.recent * 2),
                    startedAt: Self.old, httpStatus: 503),
                // Queued long ago, delivered only recently: the message, its attempt and its event stay.
                attemptRecord(byEvent["old-late"]!, AttemptDecision(outcome: .delivered), startedAt: Self.recent),
            ])
            _ = try await store.ingest(
                [sampleEvent("new-delivered"), sampleEvent("new-unrouted", type: "billing.paid")],
                receivedAt: Self.recent, maxQueued: 1000)
            let fresh = try await store.claimAll(sink, now: Self.recent)
            #expect(fresh.map(\.event.id) == ["new-delivered"])
            try await store.record([
                attemptRecord(fresh[0], AttemptDecision(outcome: .delivered), startedAt: Self.recent)
            ])
            #expect(store.pendingMessageCount == 1)

            let report = try await store.prune(olderThan: Self.cutoff)

            #expect(report == PruneReport(attempts: 4, messages: 3, events: 4))
            let left = try await store.contents()
            #expect(left.events == ["new-delivered", "new-unrouted", "old-late", "old-pending"])
            #expect(left.messages == ["new-delivered": "delivered", "old-late": "delivered", "old-pending": "pending"])
            #expect(left.attempts == ["new-delivered", "old-late"])
            // Links from events to attempts go with their events.
            let unlinked = try await store.pool.read { db in
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM attempt_events WHERE event_seq NOT IN (SELECT seq FROM events)")
            }
            #expect(unlinked == 0)
            #expect(try await store.attempts(eventID: "old-late").count == 1)
            #expect(store.pendingMessageCount == 1)

            // The pending message is still deliverable with its event.
            let retried = try await store.claimAll(sink, now: Self.recent * 2)
            #expect(retried.map(\.event.id) == ["old-pending"])
            #expect(retried.first?.event == sampleEvent("old-pending"))
            #expect(retried.first?.attempt == 2)

            // Nothing more is old: a second prune removes nothing.
            #expect(try await store.prune(olderThan: Self.cutoff).isEmpty)
        }
    }

    @Test("the pending count comes out the same when the store is reopened after a prune")
    func talliesMatchTheStoreAfterPruning() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        do {
            let store = try temporary.open()
            try await seedFinished(store, count: 6, pendingEvery: 2)
            let before = store.pendingMessageCount
            #expect(before == 3)
            _ = try await store.prune(olderThan: Self.cutoff, batchSize: 2)
            #expect(store.pendingMessageCount == before)
            try store.closeFile()
        }
        let reopened = try temporary.open()
        defer { try? reopened.closeFile() }
        #expect(reopened.pendingMessageCount == 3)
    }

    @Test("an event that is new is kept even with no messages; one received just at the cutoff too")
    func cutoffIsExclusive() async throws {
        try await withTemporaryStore { store, _ in
            _ = try await store.ingest([sampleEvent("at-cutoff")], receivedAt: Self.cutoff, maxQueued: 10)
            _ = try await store.ingest([sampleEvent("before-cutoff")], receivedAt: Self.cutoff - 1, maxQueued: 10)
            let report = try await store.prune(olderThan: Self.cutoff)
            #expect(report == PruneReport(events: 1))
            #expect(try await store.contents().events == ["at-cutoff"])
        }
    }

    @Test("batches smaller than the data still prune everything, stepping over kept events")
    func smallBatchesPruneEverything() async throws {
        try await withTemporaryStore { store, _ in
            try await seedFinished(store, count: 10)
            let report = try await store.prune(olderThan: Self.cutoff, batchSize: 3)
            #expect(report == PruneReport(attempts: 10, messages: 10, events: 10))
            let left = try await store.contents()
            #expect(left.events.isEmpty && left.messages.isEmpty && left.attempts.isEmpty)
        }
        try await withTemporaryStore { store, _ in
            // Every third event keeps a pending message: the rest are still all found.
            try await seedFinished(store, count: 12, pendingEvery: 3)
            let pending = store.pendingMessageCount
            #expect(pending == 4)
            let report = try await store.prune(olderThan: Self.cutoff, batchSize: 3)
            #expect(report == PruneReport(attempts: 12, messages: 8, events: 8))
            let left = try await store.contents()
            #expect(left.events == ["e0", "e3", "e6", "e9"])
            #expect(Set(left.messages.values) == ["pending"])
            #expect(store.pendingMessageCount == pending)
        }
    }

    @Test("ingest goes on while a prune of many rows runs")
    func ingestDuringPrune() async throws {
        try await withTemporaryStore { store, _ in
            try await seedFinished(store, count: 3000)
            let requests = 40
            let (report, receipts) = try await withThrowingTaskGroup(of: Outcome.self) { group in
                group.addTask { .pruned(try await store.prune(olderThan: Self.cutoff, batchSize: 50)) }
                for request in 0..<requests {
                    group.addTask {
                        let events = (0..<5).map { sampleEvent("live-\(request)-\($0)") }
                        return .ingested(try await store.ingest(events, receivedAt: Self.recent, maxQueued: 1_000_000))
                    }
                }
                var report: PruneReport?
                var receipts: [IngestReceipt] = []
                for try await outcome in group {
                    switch outcome {
                    case .pruned(let value): report = value
                    case .ingested(let receipt): receipts.append(receipt)
                    }
                }
                return (report, receipts)
            }
            #expect(report == PruneReport(attempts: 3000, messages: 3000, events: 3000))
            #expect(receipts.count == requests)
            #expect(receipts.allSatisfy { $0.accepted == 5 })
            let left = try await store.contents()
            #expect(left.events.count == requests * 5)
            #expect(left.events.allSatisfy { $0.hasPrefix("live-") })
            #expect(store.pendingMessageCount == requests * 5)
        }
    }

    @Test("a pruned event's id can be ingested again")
    func prunedIDsAreNewAgain() async throws {
        try await withTemporaryStore { store, _ in
            _ = try await store.ingest([sampleEvent("again")], receivedAt: Self.old, maxQueued: 10)
            _ = try await store.prune(olderThan: Self.cutoff)
            let receipt = try await store.ingest([sampleEvent("again")], receivedAt: Self.recent, maxQueued: 10)
            #expect(receipt.accepted == 1 && receipt.duplicates == 0)
        }
    }

    private enum Outcome: Sendable {
        case pruned(PruneReport)
        case ingested(IngestReceipt)
    }

    /// Stores `count` old events `e0…` for one webhook, each with one attempt; every
    /// `pendingEvery`-th message (from the first) is left retrying, the others are delivered.
    private func seedFinished(_ store: AuditStore, count: Int, pendingEvery: Int = 0) async throws {
        let ids = try await store.declare([try webhookSpec("sink", events: ["*"])])
        _ = try await store.ingest(
            (0..<count).map { sampleEvent("e\($0)") }, receivedAt: Self.old, maxQueued: 1_000_000)
        let claimed = try await store.claimAll(ids["sink"], now: Self.old)
        #expect(claimed.count == count)
        try await store.record(
            claimed.enumerated().map { index, message in
                let keep = pendingEvery > 0 && index % pendingEvery == 0
                let decision =
                    keep
                    ? AttemptDecision(outcome: .retrying, nextAttemptAt: Self.recent)
                    : AttemptDecision(outcome: .delivered)
                return attemptRecord(message, decision, startedAt: Self.old)
            })
    }
}

extension AuditStore {
    /// What the store holds: event ids (sorted), message statuses by event id, and the event ids
    /// of the attempts (sorted).
    fileprivate func contents() async throws -> (
        events: [String], messages: [String: String], attempts: [String]
    ) {
        try await pool.read { db in
            // The relay's records of the set-up (SPEC §13) carry the wall clock's time, not the
            // test's: they are left out.
            let events = try String.fetchAll(
                db, sql: "SELECT id FROM events WHERE type NOT LIKE 'auditrelay.%' ORDER BY id")
            let messages = try Row.fetchAll(
                db, sql: "SELECT e.id, m.status FROM messages m LEFT JOIN events e ON e.seq = m.event_seq"
            ).reduce(into: [String: String]()) { statuses, row in
                let eventID: String? = row[0]
                statuses[eventID ?? "(no event)"] = row[1]
            }
            let attempts = try String.fetchAll(db, sql: "SELECT event_id FROM attempts ORDER BY event_id")
            return (events, messages, attempts)
        }
    }
}
