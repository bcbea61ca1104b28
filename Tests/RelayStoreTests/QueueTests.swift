import Foundation
import GRDB
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

    @Test("claims carry each message's own event, whether the events are dense, interleaved or sparse")
    func claimsReadTheirEventsHoweverTheyAreSpread() async throws {
        try await withTemporaryStore { store, _ in
            let ids = try await store.declare([
                try webhookSpec("all", events: ["*"]), try webhookSpec("logins", events: ["user.login"]),
                try webhookSpec("rare", events: ["repo.deleted"]),
            ])
            // Every other event is a login; every tenth a deletion.
            let events = (0..<3000).map { index in
                let type = index % 10 == 9 ? "repo.deleted" : index % 2 == 0 ? "user.login" : "user.logout"
                return sampleEvent("ev\(index)", type: type, padding: index % 7)
            }
            try await store.ingest(events)
            let bodies = Dictionary(uniqueKeysWithValues: events.map { ($0.id, $0) })
            for (name, expected) in [
                ("all", events), ("logins", events.filter { $0.type == "user.login" }),
                ("rare", events.filter { $0.type == "repo.deleted" }),
            ] {
                let claimed = try await store.claimDue(webhookID: ids[name], limit: 5000, now: Times.later)
                #expect(claimed.map(\.event.id) == expected.map(\.id), "\(name)")
                #expect(claimed.allSatisfy { bodies[$0.event.id] == $0.event }, "\(name)")
            }
        }
    }

    @Test("a batch still filling claims nothing until it is full or its oldest message has waited maxWait")
    func aFillingBatchIsNotClaimed() async throws {
        try await withQueue(3) { store, webhook in
            let batch = BatchSettings(maxEvents: 4, maxBytes: 1_000_000, maxWait: .init(milliseconds: 500))
            let early = try await store.claimDue(
                webhookID: webhook, limit: 8, now: Times.received + 100, filling: batch)
            #expect(early == Claim(messages: [], fillingUntil: Times.received + 500))
            #expect(store.inFlight.claimed.isEmpty, "nothing is held while filling")
            let late = try await store.claimDue(webhookID: webhook, limit: 8, now: Times.received + 500, filling: batch)
            #expect(late.messages.map(\.event.id) == ["e0", "e1", "e2"] && late.fillingUntil == nil)
        }
        try await withQueue(4) { store, webhook in
            let batch = BatchSettings(maxEvents: 4, maxBytes: 1_000_000, maxWait: .init(milliseconds: 500))
            let full = try await store.claimDue(webhookID: webhook, limit: 8, now: Times.received, filling: batch)
            #expect(full.messages.count == 4, "a full batch goes at once")
        }
    }

    @Test("a claimed message is not claimed again until it is recorded or released")
    func claimedMessagesAreHeld() async throws {
        try await withQueue(3) { store, webhook in
            let now = Times.received
            let first = try await store.claimDue(webhookID: webhook, limit: 2, now: now)
            #expect(first.map(\.event.id) == ["e0", "e1"])
            let second = try await store.claimDue(webhookID: webhook, limit: 10, now: now + 1)
            #expect(second.map(\.event.id) == ["e2"])
            #expect(try await store.claimDue(webhookID: webhook, limit: 10, now: Times.farFuture).isEmpty)
            #expect(try await store.nextDueTime(webhookID: webhook) == nil, "held messages are not due")

            try await store.release([first[1]], now: now + 2)
            #expect(try await store.nextDueTime(webhookID: webhook) == now + 2)
            let again = try await store.claimDue(webhookID: webhook, limit: 10, now: now + 2)
            #expect(again.map(\.id) == [first[1].id])
            #expect(again.allSatisfy { $0.attempt == 1 })
        }
    }

    @Test("more claimed messages than an IN list takes are released, recorded and let go")
    func largeClaims() async throws {
        try await withQueue(2500) { store, webhook in
            let claimed = try await store.claimAll(webhook)
            #expect(claimed.count == 2500)
            try await store.release(Array(claimed[..<1200]), now: Times.later)
            store.forget(Array(claimed[1200..<1300]))
            #expect(try await store.claimAll(webhook, now: Times.later).count == 1300)
            try await store.record(
                claimed[1300...].map { attemptRecord($0, AttemptDecision(outcome: .delivered)) })
            #expect(store.pendingMessageCount == 1300)
        }
    }

    @Test("a message recorded while a claim reads is not claimed by that claim")
    func recordDuringAClaimIsExcluded() async throws {
        try await withQueue(1) { store, webhook in
            let message = try #require(try await store.claimAll(webhook).first)
            let token = store.inFlight.beginClaim()
            let retryAt = Times.received + 1
            try await store.record([
                attemptRecord(message, AttemptDecision(outcome: .retrying, nextAttemptAt: retryAt), httpStatus: 503)
            ])
            // A claim that began before the record finished may have read the message as due.
            #expect(store.inFlight.finishClaim(token, candidates: [message.rowID], limit: 10).isEmpty)
            // One that begins afterwards reads the recorded state.
            #expect(try await store.claimAll(webhook, now: retryAt).map(\.id) == [message.id])
        }
    }

    @Test("claimDue with limit 0, or for an unknown webhook, claims nothing")
    func emptyClaims() async throws {
        try await withQueue(2) { store, webhook in
            let zero = try await store.claimDue(webhookID: webhook, limit: 0, now: Times.later)
            #expect(zero.isEmpty)
            let unknown = try await store.claimAll("wh_unknown")
            #expect(unknown.isEmpty)
            let early = try await store.claimDue(webhookID: webhook, limit: 5, now: Times.received - 1)
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
            #expect(statuses.map { $0.first?.status } == [.delivered, .pending, .failed, .expired])
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
            // The message, and the relay's record of the pause (SPEC §13): the webhook takes `*`.
            #expect(store.pendingMessageCount == 2)
            #expect(try await store.messageStatuses(eventID: "e0").map(\.status) == [.pending])
            let record = try #require(try await store.ownEvents().last)
            #expect(record["type"] as? String == "auditrelay.webhook.paused")
            #expect(record["actor"] as? [String: String] == ["kind": "relay"])
            #expect(record["target"] as? [String: String] == ["kind": "webhook", "id": webhook, "name": "all"])
            #expect(record["changes"] as? [String] == ["state"])
            #expect(record["reason"] as? String == reason)
            #expect(try await store.nextDueTime(webhookID: webhook) == nil, "a paused webhook has nothing due")
            _ = try await store.resumeWebhook(id: webhook, now: Times.later)
            #expect(try await store.nextDueTime(webhookID: webhook) == Times.later)

            // A paused webhook keeps queueing new events (SPEC §3: its queue grows).
            let queued = store.pendingMessageCount
            try await store.ingest([sampleEvent("after-pause")])
            #expect(store.pendingMessageCount == queued + 1)
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
            let claimed = try await store.claimDue(webhookID: webhook, limit: 10, now: Times.received)
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

    @Test("after a restart, messages the earlier process held are claimable")
    func restartReleasesHolds() async throws {
        try await withTemporaryStore { store, temporary in
            let ids = try await store.declare([try webhookSpec("all", events: ["*"])])
            try await store.ingest((0..<3).map { sampleEvent("e\($0)") })
            let webhook = ids["all"]
            #expect(try await store.claimAll(webhook).count == 3)
            let restarted = try temporary.open()
            defer { try? restarted.closeFile() }
            #expect(try await restarted.claimAll(webhook, now: Times.later).map(\.event.id) == ["e0", "e1", "e2"])
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
