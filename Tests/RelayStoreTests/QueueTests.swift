import Foundation
import RelayCore
import Testing

@testable import RelayStore

/// The message queue: claim with a lease, record outcomes, release.
@Suite("AuditStore queue")
struct QueueTests {
    /// A store with one webhook and `count` queued messages for it.
    private func withQueue(
        _ count: Int, _ body: (AuditStore, String) async throws -> Void
    ) async throws {
        try await withTemporaryStore { store, _ in
            let ids = try await store.declare([try webhookSpec("all", events: ["*"])])
            try await store.ingest((0..<count).map { sampleEvent("e\($0)") })
            try await body(store, ids["all"])
        }
    }

    @Test("a claimed message is not claimed again until its lease expires")
    func leaseHidesClaimedMessages() async throws {
        try await withQueue(3) { store, webhook in
            let now = Times.received
            let first = try await store.claimDue(webhookID: webhook, limit: 2, now: now, leaseUntil: now + 30_000)
            #expect(first.map(\.event.id) == ["e0", "e1"])
            let second = try await store.claimDue(webhookID: webhook, limit: 10, now: now + 1, leaseUntil: now + 30_000)
            #expect(second.map(\.event.id) == ["e2"])
            let none = try await store.claimDue(
                webhookID: webhook, limit: 10, now: now + 29_999, leaseUntil: now + 60_000)
            #expect(none.isEmpty)
            #expect(try await store.nextDueTime(webhookID: webhook) == now + 30_000)

            let expired = try await store.claimDue(
                webhookID: webhook, limit: 10, now: now + 30_000, leaseUntil: now + 90_000)
            #expect(expired.map(\.event.id) == ["e0", "e1", "e2"])
            #expect(expired.map(\.id) == (first + second).map(\.id))
            #expect(expired.allSatisfy { $0.attempt == 1 })
        }
    }

    @Test("claimDue with limit 0, or for an unknown webhook, claims nothing")
    func emptyClaims() async throws {
        try await withQueue(2) { store, webhook in
            let zero = try await store.claimDue(webhookID: webhook, limit: 0, now: Times.later, leaseUntil: Times.later)
            #expect(zero.isEmpty)
            let unknown = try await store.claimAll("wh_unknown")
            #expect(unknown.isEmpty)
            let early = try await store.claimDue(
                webhookID: webhook, limit: 5, now: Times.received - 1, leaseUntil: Times.later)
            #expect(early.isEmpty)
            #expect(store.pendingMessageCount == 2)
        }
    }

    @Test("delivered leaves the queue; retrying stays with its next time; failed and expired finish")
    func recordMovesMessagesOn() async throws {
        try await withQueue(4) { store, webhook in
            let messages = try await store.claimAll(webhook)
            #expect(store.pendingMessageCount == 4)
            let retryAt = Times.later + 5_000
            try await store.record([
                attemptRecord(messages[0], AttemptDecision(outcome: .delivered)),
                attemptRecord(
                    messages[1], AttemptDecision(outcome: .retrying, nextAttemptAt: retryAt), httpStatus: 503),
                attemptRecord(messages[2], AttemptDecision(outcome: .failed, reason: "HTTP 400"), httpStatus: 400),
                attemptRecord(messages[3], AttemptDecision(outcome: .expired, reason: "no attempts left")),
            ])
            #expect(store.pendingMessageCount == 1)
            let statuses = try await (0..<4).asyncMap { try await store.messageStatuses(eventID: "e\($0)") }
            #expect(statuses.map { $0.first?.status } == ["delivered", "pending", "failed", "expired"])
            #expect(try await store.nextDueTime(webhookID: webhook) == retryAt)

            #expect(try await store.claimAll(webhook, now: retryAt - 1).isEmpty)
            let retried = try await store.claimAll(webhook, now: retryAt)
            #expect(retried.map(\.id) == [messages[1].id])
            #expect(retried.first?.attempt == 2)
            #expect(retried.first?.sequence == messages[1].sequence)

            try await store.record([attemptRecord(retried[0], AttemptDecision(outcome: .delivered))])
            #expect(store.pendingMessageCount == 0)
            #expect(try await store.nextDueTime(webhookID: webhook) == nil)
        }
    }

    @Test("a paused outcome pauses the webhook with its reason and keeps the message pending")
    func pausedDecisionPausesTheWebhook() async throws {
        try await withQueue(1) { store, webhook in
            let message = try #require(try await store.claimAll(webhook).first)
            let reason = "destination refused: HTTP 401"
            _ = store.changes.take()
            try await store.record([
                attemptRecord(
                    message, AttemptDecision(outcome: .paused, nextAttemptAt: Times.later, reason: reason),
                    httpStatus: 401)
            ])
            let paused = try #require(try await store.webhook(id: webhook))
            #expect(paused.state == .paused)
            #expect(paused.stateReason == reason)
            #expect(store.changes.take().webhooksChanged)
            #expect(store.pendingMessageCount == 1)
            #expect(try await store.messageStatuses(eventID: "e0").map(\.status) == ["pending"])
            #expect(try await store.nextDueTime(webhookID: webhook) == Times.later)

            // A paused webhook keeps queueing new events (SPEC §3: its queue grows).
            try await store.ingest([sampleEvent("after-pause")])
            #expect(store.pendingMessageCount == 2)
        }
    }

    @Test("a disabled outcome disables the webhook; new events are no longer queued for it")
    func disabledDecisionStopsQueueing() async throws {
        try await withQueue(1) { store, webhook in
            let message = try #require(try await store.claimAll(webhook).first)
            try await store.record([
                attemptRecord(
                    message, AttemptDecision(outcome: .disabled, nextAttemptAt: Times.later, reason: "410 Gone"),
                    httpStatus: 410)
            ])
            #expect(try await store.webhook(id: webhook)?.state == .disabled)
            #expect(try await store.webhook(id: webhook)?.stateReason == "410 Gone")
            #expect(store.pendingMessageCount == 1)
            try await store.ingest([sampleEvent("after-disable")])
            #expect(store.pendingMessageCount == 1)
        }
    }

    @Test("release makes a claimed message due again at once, without counting an attempt")
    func releaseMakesMessagesDue() async throws {
        try await withQueue(2) { store, webhook in
            let claimed = try await store.claimDue(
                webhookID: webhook, limit: 10, now: Times.received, leaseUntil: Times.farFuture)
            #expect(try await store.claimAll(webhook, now: Times.later).isEmpty)
            _ = store.changes.take()
            try await store.release([claimed[0]], now: Times.later)
            #expect(store.changes.take().queuedFor == [webhook])
            #expect(try await store.nextDueTime(webhookID: webhook) == Times.later)
            let again = try await store.claimAll(webhook, now: Times.later)
            #expect(again.map(\.id) == [claimed[0].id])
            #expect(again.first?.attempt == 1)
        }
    }

    @Test("releaseAllLeases makes every leased message due at once and counts them")
    func releaseAllLeases() async throws {
        try await withQueue(3) { store, webhook in
            _ = try await store.claimDue(webhookID: webhook, limit: 2, now: Times.received, leaseUntil: Times.farFuture)
            #expect(try await store.claimAll(webhook, now: Times.later).count == 1)
            #expect(try await store.claimAll(webhook, now: Times.later + 1).isEmpty)

            let released = try await store.releaseAllLeases(now: Times.later + 1)
            #expect(released == 3)
            #expect(try await store.nextDueTime(webhookID: webhook) == Times.later + 1)
            #expect(try await store.claimAll(webhook, now: Times.later + 1).map(\.event.id) == ["e0", "e1", "e2"])
            #expect(try await store.releaseAllLeases(now: Times.farFuture + 1) == 3)
            #expect(try await store.nextDueTime(webhookID: webhook) == Times.later + 1 + 60_000)
        }
    }

    @Test("nextDueTime is nil for a webhook without pending messages")
    func nextDueTimeWithoutMessages() async throws {
        try await withQueue(0) { store, webhook in
            let due = try await store.nextDueTime(webhookID: webhook)
            #expect(due == nil)
        }
    }
}

extension Range where Bound == Int {
    /// Maps the range in order with an async transform.
    func asyncMap<T>(_ transform: (Int) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for value in self { results.append(try await transform(value)) }
        return results
    }
}
