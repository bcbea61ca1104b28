import Foundation
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

/// The queue survives restarts and crashes: a cut-off attempt is made again with the same
/// message id (SPEC §5.2).
@Suite struct RestartTests {
    @Test func aMessageLeasedByACrashedProcessIsDeliveredAfterRestart() async throws {
        try await TestReceiver.with { receiver in
            let directory = try TestFixtures.temporaryDirectory()
            // Not `*`: the second run's change of URL is recorded (SPEC §13) and would come first.
            let configuration = testConfiguration(
                directory: directory, webhooks: [try hook("a", url: receiver.url(), events: ["user.*"])])
            // First run: the relay stores the webhook and the event; the receiver is paused by a
            // wrong URL so nothing is delivered yet.
            var offline = configuration
            offline.webhooks[0].url = "https://localhost:1/unreachable"
            try await withRelay(offline) { _ in }
            // A process that crashed mid-attempt: it claimed the message and never recorded it.
            let store = try openTestStore(configuration)
            let webhookID = try #require(try await store.webhooks().first?.id)
            let now = WallClock.nowMillis()
            let sent = #"{"type":"user.login","id":"crash-1","time":"2026-11-24T10:00:00Z"}"#
            let event = IncomingEvent(
                id: "crash-1", type: "user.login", occurredAt: RFC3339.parseMillis("2026-11-24T10:00:00Z"),
                object: Array(sent.utf8))
            _ = try await store.ingest([event.stored(receivedAt: now)], receivedAt: now, maxQueued: 100)
            let claimed = try await store.claimDue(webhookID: webhookID, limit: 10, now: now)
            let message = try #require(claimed.first)
            #expect(try await store.claimDue(webhookID: webhookID, limit: 10, now: now + 1).isEmpty)

            try await withRelay(configuration) { _ in
                let received = try await receiver.waitForRequests(1)
                #expect(received[0].headers["x-auditrelay-message-id"] == message.id)
                #expect(received[0].headers["x-auditrelay-attempt"] == "1")
                #expect(received[0].text == sent)
            }
        }
    }

    @Test func anAttemptInFlightAtShutdownIsFinishedAndMadeAgainAfterRestart() async throws {
        let calls = Counter()
        try await TestReceiver.with(respond: { _ in
            calls.next() == 1 ? ReceiverReply(delay: .seconds(4)) : ReceiverReply()
        }) { receiver in
            let directory = try TestFixtures.temporaryDirectory()
            var configuration = testConfiguration(directory: directory, webhooks: [try hook("a", url: receiver.url())])
            configuration.delivery.timeout = RelayDuration(milliseconds: 1500)
            try await withRelay(configuration) { relay in
                #expect(try await relay.postEvents(#"{"type":"user.login","id":"cut-1"}"#).status == 202)
                _ = try await receiver.waitForRequests(1)
            }
            try await withRelay(configuration) { relay in
                let received = try await receiver.waitForRequests(2)
                #expect(
                    received[0].headers["x-auditrelay-message-id"] == received[1].headers["x-auditrelay-message-id"])
                #expect(received[1].text == received[0].text)
                let store = try relay.openStore()
                #expect(
                    try await eventually {
                        try await store.messageStatuses(eventID: "cut-1").first?.status == .delivered
                    })
            }
        }
    }
}
