import Foundation
import Logging
import RelayCore
import RelayDelivery
import RelayStore
import RelayTestSupport
import Synchronization
import Testing

/// A lane's sends are not tasks of their own: cancelling the delivery service must still reach
/// the request each lane has in flight.
@Suite(.timeLimit(.minutes(1))) struct LaneCancellationTests {
    @Test func cancellingDeliveryAbortsTheRequestInFlightAndLeavesItsMessagePendingUnattempted() async throws {
        let answering = Mutex(false)
        try await TestReceiver.with(respond: { _ in
            answering.withLock { $0 = true }
            // Longer than the suite's time limit: only the abort ends this request in time.
            try? await Task.sleep(for: .seconds(90))
            return ReceiverReply()
        }) { receiver in
            var configuration = testConfiguration(
                directory: try TestFixtures.temporaryDirectory(),
                webhooks: [try hook("a", url: receiver.url(), events: ["user.*"])])
            configuration.delivery.timeout = RelayDuration(milliseconds: 120_000)
            try await withRelay(configuration) { _ in }  // the store, with the webhook declared
            let store = try openTestStore(configuration)
            let now = WallClock.nowMillis()
            let event = IncomingEvent(
                id: "cancel-1", type: "user.login", occurredAt: now, object: Array(#"{"type":"user.login"}"#.utf8))
            _ = try await store.ingest([event.stored(receivedAt: now)], receivedAt: now, maxQueued: 100)

            var logger = Logger(label: "test-dispatcher")
            logger.logLevel = .critical
            let dispatcher = try Dispatcher(store: store, configuration: configuration.delivery, logger: logger)
            let delivering = Task { try await dispatcher.run() }
            #expect(await eventually(timeout: .seconds(20)) { answering.withLock { $0 } })
            delivering.cancel()
            try await delivering.value

            // Aborted before any answer: released unsent, with no attempt counted or recorded.
            #expect(try await store.messageStatuses(eventID: "cancel-1").map(\.status) == [.pending])
            #expect(try await store.attempts(eventID: "cancel-1").isEmpty)
            #expect(receiver.requests().count == 1)
        }
    }
}
