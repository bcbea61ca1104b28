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
}
