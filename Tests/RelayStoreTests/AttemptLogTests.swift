import Foundation
import RelayCore
import Testing

@testable import RelayStore

/// SPEC §7: every attempt is recorded with all its fields.
@Suite("AuditStore attempts")
struct AttemptLogTests {
    @Test("an attempt record keeps every field, with the response body cut to 1 KiB")
    func attemptKeepsEveryField() async throws {
        try await withTemporaryStore { store, _ in
            let ids = try await store.declare([try webhookSpec("audit-sink", events: ["*"])])
            let webhook = ids["audit-sink"]
            try await store.ingest([sampleEvent("evt-42", type: "repo.created")])
            let message = try #require(try await store.claimAll(webhook).first)
            let body = [UInt8](repeating: UInt8(ascii: "b"), count: 3_000)
            let decision = AttemptDecision(outcome: .retrying, nextAttemptAt: Times.later + 5_000)
            try await store.record([
                attemptRecord(message, decision, httpStatus: 503, error: "upstream busy", responseBody: body)
            ])

            let entry = try #require(try await store.attempts().first)
            #expect(entry.messageID == message.id)
            #expect(entry.eventID == "evt-42")
            #expect(entry.eventType == "repo.created")
            #expect(entry.webhookID == webhook)
            #expect(entry.webhookName == "audit-sink")
            #expect(entry.attempt == 1)
            #expect(entry.startedAt == Times.later)
            #expect(entry.durationMillis == 42)
            #expect(entry.httpStatus == 503)
            #expect(entry.error == "upstream busy")
            #expect(entry.outcome == .retrying)
            #expect(entry.nextAttemptAt == Times.later + 5_000)
            #expect(entry.responseBody.count == 1024)
            #expect(entry.responseBody == Array(body.prefix(1024)))
        }
    }

    @Test("a transport failure has no status and no body; a final outcome has no next time")
    func attemptWithoutResponse() async throws {
        try await withTemporaryStore { store, _ in
            let ids = try await store.declare([try webhookSpec("sink", events: ["*"])])
            try await store.ingest([sampleEvent("e1")])
            let message = try #require(try await store.claimAll(ids["sink"]).first)
            try await store.record([
                attemptRecord(
                    message, AttemptDecision(outcome: .expired, reason: "no attempts left"), httpStatus: nil,
                    error: "connection refused", responseBody: [])
            ])
            let entry = try #require(try await store.attempts().first)
            #expect(entry.httpStatus == nil)
            #expect(entry.error == "connection refused")
            #expect(entry.outcome == .expired)
            #expect(entry.nextAttemptAt == nil)
            #expect(entry.responseBody.isEmpty)
        }
    }

    @Test("attempts are listed newest first, by webhook and with a limit; retries count up")
    func attemptsAreFilteredAndOrdered() async throws {
        try await withTemporaryStore { store, _ in
            let ids = try await store.declare([
                try webhookSpec("one", events: ["*"]), try webhookSpec("two", events: ["*"]),
            ])
            let one = ids["one"]
            let two = ids["two"]
            try await store.ingest([sampleEvent("e1")])
            let first = try #require(try await store.claimAll(one).first)
            try await store.record([
                attemptRecord(first, AttemptDecision(outcome: .retrying, nextAttemptAt: Times.later), httpStatus: 500)
            ])
            let retry = try #require(try await store.claimAll(one, now: Times.later).first)
            try await store.record([
                attemptRecord(retry, AttemptDecision(outcome: .delivered), startedAt: Times.later + 10)
            ])
            let other = try #require(try await store.claimAll(two).first)
            try await store.record([attemptRecord(other, AttemptDecision(outcome: .delivered))])

            let forOne = try await store.attempts(webhookID: one)
            #expect(forOne.map(\.attempt) == [2, 1])
            #expect(forOne.map(\.outcome) == [.delivered, .retrying])
            #expect(Set(forOne.map(\.messageID)) == [first.id])
            #expect(try await store.attempts(webhookID: two).map(\.webhookID) == [two])
            #expect(try await store.attempts().count == 3)
            #expect(try await store.attempts(limit: 1).map(\.webhookID) == [two])
        }
    }

    @Test("a batch is one record naming every message with its own outcome; filters find it by any message")
    func aBatchIsOneRecord() async throws {
        try await withTemporaryStore { store, _ in
            let ids = try await store.declare([try webhookSpec("siem", events: ["*"])])
            try await store.ingest([
                sampleEvent("b1", type: "user.login"), sampleEvent("b2", type: "repo.created"),
                sampleEvent("b3", type: "user.login"),
            ])
            let claimed = try await store.claimAll(ids["siem"])
            let retryAt = Times.later + 30_000
            try await store.record([
                AttemptRecord(
                    webhookName: "siem", startedAt: Times.later, durationMillis: 7, httpStatus: 400,
                    responseBody: Array("partly".utf8),
                    messages: [
                        MessageOutcome(message: claimed[0], decision: AttemptDecision(outcome: .delivered), error: nil),
                        MessageOutcome(
                            message: claimed[1], decision: AttemptDecision(outcome: .failed, reason: "refused"),
                            error: "refused \"b2\""),
                        MessageOutcome(
                            message: claimed[2], decision: AttemptDecision(outcome: .retrying, nextAttemptAt: retryAt),
                            error: nil),
                    ])
            ])

            let entries = try await store.attempts()
            #expect(entries.count == 1)
            let batch = try #require(entries.first)
            #expect(batch.messageCount == 3 && batch.httpStatus == 400 && batch.responseBody == Array("partly".utf8))
            #expect(batch.eventID == "b1" && batch.outcome == .delivered)
            #expect(batch.members.map(\.eventID) == ["b1", "b2", "b3"])
            #expect(batch.members.map(\.messageID) == claimed.map(\.id))
            #expect(batch.members.map(\.outcome) == [.delivered, .failed, .retrying])
            #expect(batch.members[1].error == "refused \"b2\"")
            #expect(batch.members[2].nextAttemptAt == retryAt)

            // Each filter finds the batch and shows the message it matched at the top level.
            let byEvent = try #require(try await store.attempts(matching: AttemptQuery(eventID: "b2")).first)
            #expect(byEvent.id == batch.id && byEvent.eventID == "b2" && byEvent.messageID == claimed[1].id)
            #expect(
                byEvent.outcome == .failed && byEvent.error == "refused \"b2\"" && byEvent.eventType == "repo.created")
            let byStatus = try #require(try await store.attempts(matching: AttemptQuery(outcome: .retrying)).first)
            #expect(byStatus.eventID == "b3" && byStatus.nextAttemptAt == retryAt)
            let byType = try await store.attempts(matching: AttemptQuery(eventType: "repo.created"))
            #expect(byType.map(\.eventID) == ["b2"])
            // The filters apply to one message together, not to different messages of the batch.
            #expect(
                try await store.attempts(matching: AttemptQuery(eventType: "repo.created", outcome: .delivered)).isEmpty
            )
            #expect(try await store.attempts(matching: AttemptQuery(eventID: "b1", outcome: .failed)).isEmpty)
            #expect(try await store.attempts(matching: AttemptQuery(eventID: "nope")).isEmpty)

            // Health counts the request: it delivered, so no failure in a row, and the refused
            // event is the last failure.
            let health = try #require(try await store.webhookHealth(webhookID: ids["siem"])[ids["siem"]])
            #expect(health.lastSuccessAt == Times.later && health.consecutiveFailures == 0)
            #expect(health.lastFailureReason == "refused \"b2\"")

            // Each message moved on by its own outcome.
            let statuses = try await ["b1", "b2", "b3"].asyncMap {
                try await store.messageStatuses(eventID: $0)[0].status
            }
            #expect(statuses == [.delivered, .failed, .pending])
            #expect(try await store.claimAll(ids["siem"], now: retryAt).map(\.event.id) == ["b3"])
        }
    }

    @Test("a page of big batches ends once it holds 5,000 messages, and the next page goes on")
    func pagesOfBigBatchesStaySmall() async throws {
        try await withTemporaryStore { store, _ in
            let ids = try await store.declare([try webhookSpec("siem", events: ["*"])])
            try await store.ingest((0..<8000).map { sampleEvent("big-\($0)") }, maxQueued: 10_000)
            let claimed = try await store.claimDue(webhookID: ids["siem"], limit: 8000, now: Times.later)
            try await store.record(
                stride(from: 0, to: 8000, by: 2000).map { start in
                    AttemptRecord(
                        webhookName: "siem", startedAt: Times.later, durationMillis: 3, httpStatus: 200,
                        responseBody: [],
                        messages: claimed[start..<start + 2000].map {
                            MessageOutcome(message: $0, decision: AttemptDecision(outcome: .delivered), error: nil)
                        })
                })
            let query = AttemptQuery(limit: 100)
            let first = try await store.attempts(matching: query)
            #expect(first.map(\.messageCount) == [2000, 2000, 2000])
            #expect(query.isFull(first), "cut by messages, not by limit")
            var next = query
            next.beforeID = first.last?.id
            let rest = try await store.attempts(matching: next)
            #expect(rest.map(\.messageCount) == [2000])
            #expect(!next.isFull(rest))
        }
    }

    @Test("statement values are padded to a power of two by repeating the last group")
    func valuesArePaddedToAPowerOfTwo() {
        #expect(AuditStore.padded([7], width: 1) == [7])
        #expect(AuditStore.padded([1, 2, 3], width: 1) == [1, 2, 3, 3])
        #expect(AuditStore.padded([1, 2, 3, 4], width: 1) == [1, 2, 3, 4])
        #expect(AuditStore.padded([1, 2, 3, 4, 5, 6], width: 2) == [1, 2, 3, 4, 5, 6, 5, 6])
        let lengths = Set(
            (1...1024).map { AuditStore.padded(ArraySlice(Array(repeating: Int64(1), count: $0)), width: 1).count })
        #expect(lengths == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024])
    }

    @Test("a single message's attempts are found by its event, among other events' attempts")
    func singleAttemptsAreFoundByEvent() async throws {
        try await withTemporaryStore { store, _ in
            let ids = try await store.declare([try webhookSpec("sink", events: ["*"])])
            try await store.ingest([sampleEvent("s1"), sampleEvent("s2")])
            let claimed = try await store.claimAll(ids["sink"])
            try await store.record(
                claimed.map { attemptRecord($0, AttemptDecision(outcome: .retrying, nextAttemptAt: Times.later)) })
            let retried = try await store.claimAll(ids["sink"], now: Times.later)
            try await store.record(retried.map { attemptRecord($0, AttemptDecision(outcome: .delivered)) })
            let forS2 = try await store.attempts(eventID: "s2")
            #expect(forS2.map(\.outcome) == [.delivered, .retrying])
            #expect(forS2.allSatisfy { $0.eventID == "s2" && $0.members.isEmpty && $0.messageCount == 1 })
        }
    }
}

extension Array {
    /// The results of `transform` on each element, in order.
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
