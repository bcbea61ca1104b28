import Foundation
import RelayCore
import RelayTestSupport
import Testing

/// One slow destination never delays the others (SPEC §5.2).
@Suite struct LaneIsolationTests {
    @Test func aHangingWebhookDoesNotDelayAHealthyOne() async throws {
        try await withReceivingRelay(
            respond: { request in request.path == "/slow" ? ReceiverReply(delay: .seconds(3)) : ReceiverReply() },
            webhooks: { [try hook("slow", url: $0.url("/slow")), try hook("fast", url: $0.url("/fast"))] },
            configure: {
                $0.delivery.concurrencyPerWebhook = 2
                $0.delivery.timeout = .seconds(5)
            }
        ) { relay, receiver in
            let posting = ContinuousClock.now
            for index in 0..<6 {
                #expect(try await relay.postEvents(#"{"type":"user.login","id":"iso-\#(index)"}"#).status == 202)
            }
            let started = ContinuousClock.now
            let fast = try await receiver.waitForRequests(6, path: "/fast", timeout: .seconds(10))
            let elapsed = ContinuousClock.now - started
            #expect(elapsed < .seconds(2), "the healthy webhook took \(elapsed) while the other hung")
            #expect(Set(fast.map(\.text)).count == 6)
            // Before the first answer (3 s after the first post) only two may have gone out; a busy
            // machine can make the posts themselves take that long, so count by arrival time.
            let beforeAnAnswer = receiver.requests(path: "/slow").filter { $0.receivedAt < posting + .seconds(3) }
            #expect(beforeAnAnswer.count <= 2, "the slow lane keeps to its concurrency")
        }
    }
}
