import Foundation
import RelayCore
import RelayStore
import RelayTestSupport
import Synchronization
import Testing

/// Real relay, real HTTPS receiver: what each destination answer does (SPEC §5.1).
@Suite struct DeliveryOutcomeTests {
    @Test func deliversTheStoredEventWithTheRelayHeaders() async throws {
        let webhooks = { (receiver: TestReceiver) throws -> [WebhookSpec] in
            var spec = try hook("siem", url: receiver.url(), events: ["user.*"])
            spec.authorization = "Splunk secret-token-value"
            spec.headers = ["X-Tenant": "acme"]
            return [spec]
        }
        try await withReceivingRelay(webhooks: webhooks) { relay, receiver in
            let sent =
                #"{"type":"user.login","id":"evt-1","time":"2026-11-24T10:00:00Z","actor":{"name":"alice"},"n":1.50}"#
            let reply = try await relay.postEvents(sent)
            #expect(reply.status == 202)
            #expect(try reply.decoded(IngestAccepted.self).accepted == 1)
            let received = try #require(try await receiver.waitForRequests(1).first)
            #expect(received.text == sent)
            #expect(received.headers["user-agent"] == "AuditRelay/\(RelayVersion.current)")
            #expect(received.headers["content-type"] == "application/json")
            #expect(received.headers["x-auditrelay-event-type"] == "user.login")
            #expect(received.headers["x-auditrelay-attempt"] == "1")
            #expect(received.headers["x-auditrelay-sequence"] == "1")
            #expect(received.headers["authorization"] == "Splunk secret-token-value")
            #expect(received.headers["x-tenant"] == "acme")
            let store = try relay.openStore()
            #expect(try await eventually { try await store.attempts().first?.outcome == .delivered })
            let attempt = try #require(try await store.attempts().first)
            #expect(attempt.httpStatus == 200)
            #expect(attempt.eventID == "evt-1")
            #expect(attempt.eventType == "user.login")
            #expect(attempt.webhookName == "siem")
            #expect(attempt.attempt == 1)
            #expect(attempt.messageID.hasPrefix("msg_"))
        }
    }

    @Test func serverErrorThenSuccessIsDeliveredOnTheSecondAttempt() async throws {
        let calls = Counter()
        try await withReceivingRelay(
            respond: { _ in calls.next() == 1 ? ReceiverReply(status: 500, body: "boom") : ReceiverReply(status: 200) },
            webhooks: { [try hook("a", url: $0.url())] }
        ) { relay, receiver in
            #expect(try await relay.postEvents(#"{"type":"repo.deleted","id":"e-500"}"#).status == 202)
            let received = try await receiver.waitForRequests(2)
            #expect(received.map { $0.headers["x-auditrelay-attempt"] } == ["1", "2"])
            #expect(
                received[0].headers["x-auditrelay-message-id"] == received[1].headers["x-auditrelay-message-id"])
            #expect(received[0].headers["x-auditrelay-sequence"] == received[1].headers["x-auditrelay-sequence"])
            let store = try relay.openStore()
            #expect(try await eventually { try await store.attempts().count == 2 })
            let attempts = try await store.attempts().reversed().map { ($0.outcome, $0.httpStatus) }
            #expect(attempts.map(\.0) == [.retrying, .delivered])
            #expect(attempts.map(\.1) == [500, 200])
            #expect(try await store.attempts().last?.responseBody == Array("boom".utf8))
        }
    }

    @Test func retryAfterOnA429IsHonoured() async throws {
        let calls = Counter()
        try await withReceivingRelay(
            respond: { _ in
                calls.next() == 1 ? ReceiverReply(status: 429, headers: ["Retry-After": "2"]) : ReceiverReply()
            },
            webhooks: { [try hook("a", url: $0.url())] }
        ) { relay, receiver in
            #expect(try await relay.postEvents(#"{"type":"user.login"}"#).status == 202)
            let received = try await receiver.waitForRequests(2, timeout: .seconds(15))
            let gap = received[1].receivedAt - received[0].receivedAt
            #expect(gap >= .milliseconds(1900), "retried after \(gap), before Retry-After: 2")
            #expect(gap < .seconds(6))
        }
    }

    @Test func goneDisablesTheWebhookAndKeepsItsQueue() async throws {
        try await withReceivingRelay(
            respond: { _ in ReceiverReply(status: 410) }, webhooks: { [try hook("gone", url: $0.url())] }
        ) { relay, receiver in
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"g1"}"#).status == 202)
            _ = try await receiver.waitForRequests(1)
            let store = try relay.openStore()
            #expect(try await eventually { try await store.webhooks().first?.state == .disabled })
            let webhook = try #require(try await store.webhooks().first)
            #expect(webhook.stateReason?.contains("410") == true)
            #expect(try await store.attempts().first?.outcome == .disabled)
            #expect(try await store.messageStatuses(eventID: "g1").map(\.status) == [.pending])
            // A disabled webhook's pending message is never claimed: one attempt, one request.
            #expect(try await store.attempts().count == 1)
            #expect(receiver.requests().count == 1, "a disabled webhook is not retried")
        }
    }

    @Test(arguments: [401, 403, 404])
    func refusalPausesTheWebhookAndKeepsItsQueue(status: Int) async throws {
        try await withReceivingRelay(
            respond: { _ in ReceiverReply(status: status) }, webhooks: { [try hook("p", url: $0.url())] }
        ) { relay, receiver in
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"p1"}"#).status == 202)
            let store = try relay.openStore()
            #expect(try await eventually { try await store.webhooks().first?.state == .paused })
            #expect(try await store.webhooks().first?.stateReason == "destination refused: HTTP \(status)")
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"p2"}"#).status == 202)
            #expect(try await store.messageStatuses(eventID: "p2").map(\.status) == [.pending])
            // A paused webhook's queue is kept and never claimed: one attempt, one request.
            #expect(try await store.attempts().count == 1)
            #expect(try await store.webhooks().first?.state == .paused)
            #expect(receiver.requests().count == 1)
        }
    }

    @Test func badRequestFailsOnlyThatMessage() async throws {
        try await withReceivingRelay(
            respond: { request in
                request.text.contains("bad") ? ReceiverReply(status: 400, body: "invalid event") : ReceiverReply()
            },
            webhooks: { [try hook("a", url: $0.url())] }
        ) { relay, receiver in
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"bad"}"#).status == 202)
            _ = try await receiver.waitForRequests(1)
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"good"}"#).status == 202)
            let received = try await receiver.waitForRequests(2)
            #expect(received[1].text.contains("good"))
            let store = try relay.openStore()
            #expect(
                try await eventually {
                    try await store.messageStatuses(eventID: "good").first?.status == .delivered
                })
            #expect(try await store.messageStatuses(eventID: "bad").map(\.status) == [.failed])
            let failed = try #require(try await store.attempts().first { $0.eventID == "bad" })
            #expect(failed.outcome == .failed)
            #expect(failed.httpStatus == 400)
            #expect(failed.responseBody == Array("invalid event".utf8))
            // Both messages have left the queue, so nothing more can be sent.
            #expect(try await store.pendingDepth() == 0)
            #expect(receiver.requests().filter { $0.text.contains("bad") }.count == 1)
        }
    }

    @Test func redirectsAreNeverFollowed() async throws {
        try await withReceivingRelay(
            respond: { request in
                request.path == "/hook"
                    ? ReceiverReply(status: 302, headers: ["Location": "/elsewhere"]) : ReceiverReply()
            },
            webhooks: { [try hook("r", url: $0.url())] }
        ) { relay, receiver in
            #expect(try await relay.postEvents(#"{"type":"user.login"}"#).status == 202)
            _ = try await receiver.waitForRequests(2, path: "/hook")
            #expect(receiver.requests(path: "/elsewhere").isEmpty)
            let store = try relay.openStore()
            let first = try #require(try await store.attempts().last)
            #expect(first.httpStatus == 302)
            #expect(first.outcome == .retrying)
        }
    }
}

/// Counts calls across concurrent receiver handlers.
final class Counter: Sendable {
    private let value = Mutex(0)

    /// The number of this call, from 1.
    func next() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }
}
