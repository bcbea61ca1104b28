import Foundation
import NIOHTTP1
import RelayCore
import RelayTestSupport
import Testing

/// `/metrics` follows deliveries; `/readyz` reports a store that cannot take writes (SPEC §8).
@Suite struct MetricsAndHealthTests {
    /// The value of the sample line that starts with `prefix` (name and labels), if any.
    private func sample(_ text: String, _ prefix: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(prefix + " ") }
            .flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test func metricsChangeAsDeliveriesHappen() async throws {
        try await withReceivingRelay(
            respond: { request in request.path == "/fail" ? ReceiverReply(status: 500) : ReceiverReply() },
            webhooks: { receiver in
                [
                    try hook("good", url: receiver.url("/ok"), events: ["ok"]),
                    try hook("bad", url: receiver.url("/fail"), events: ["fail"]),
                ]
            },
            configure: { $0.delivery.retrySchedule = [.seconds(3600)] }
        ) { relay, receiver in
            let before = try await relay.request(method: .GET, path: "/metrics", token: nil)
            #expect(before.status == 200)
            #expect(before.headers["content-type"]?.hasPrefix("text/plain") == true)
            #expect(sample(before.body, "auditrelay_events_ingested_total") == 0)
            #expect(sample(before.body, #"auditrelay_queue_depth_messages{webhook="good"}"#) == 0)

            #expect(try await relay.postEvents(#"[{"type":"ok"},{"type":"ok"},{"type":"fail"}]"#).status == 202)
            _ = try await receiver.waitForRequests(2, path: "/ok")
            _ = try await receiver.waitForRequests(1, path: "/fail")
            let settled = try await eventually {
                let text = try await relay.request(method: .GET, path: "/metrics", token: nil).body
                return sample(text, #"auditrelay_attempts_total{webhook="good",outcome="delivered"}"#) == 2
                    && sample(text, #"auditrelay_attempts_total{webhook="bad",outcome="retrying"}"#) == 1
            }
            #expect(settled)
            let after = try await relay.request(method: .GET, path: "/metrics", token: nil).body
            #expect(sample(after, "auditrelay_events_ingested_total") == 3)
            #expect(sample(after, #"auditrelay_queue_depth_messages{webhook="bad"}"#) == 1)
            #expect(sample(after, #"auditrelay_queue_depth_messages{webhook="good"}"#) == 0)
            #expect((sample(after, #"auditrelay_queue_oldest_age_seconds{webhook="bad"}"#) ?? -1) >= 0)
            #expect((sample(after, "auditrelay_ingest_commit_duration_seconds_count") ?? 0) >= 1)
            #expect(after.contains(#"auditrelay_attempt_duration_seconds_bucket{webhook="good""#))

            let list = try await relay.request(method: .GET, path: "/v1/webhooks")
            let bad = try #require(try list.decoded(WebhookList.self).webhooks.first { $0.name == "bad" })
            #expect(bad.health.queueDepth == 1)
            #expect(bad.health.consecutiveFailures == 1)
            #expect(bad.health.lastFailureReason == "HTTP 500")
            #expect(bad.health.lastSuccessAt == nil)
            // Present, as null.
            var badHealth: [String: JSONValue]?
            if case .array(let webhooks)? = list.members["webhooks"] {
                for case .object(let webhook) in webhooks where webhook["name"] == .string("bad") {
                    if case .object(let health)? = webhook["health"] { badHealth = health }
                }
            }
            #expect(badHealth?["lastSuccessAt"] == .null, "\(list.body)")
        }
    }

    @Test func readinessFailsWhenTheStoreCannotTakeWrites() async throws {
        let directory = try TestFixtures.temporaryDirectory()
        let padding = String(repeating: "p", count: 20_000)
        try await withRelay(testConfiguration(directory: directory, webhooks: []), maximumStoreBytes: 400_000) {
            relay in
            let ready = try await relay.request(method: .GET, path: "/readyz", token: nil)
            #expect(ready.status == 200)
            #expect(try await relay.request(method: .GET, path: "/healthz", token: nil).status == 200)
            var full = false
            for index in 0..<60 where !full {
                let reply = try await relay.postEvents(#"{"type":"a","id":"r-\#(index)","pad":"\#(padding)"}"#)
                full = reply.status == 503
            }
            #expect(full, "the capped store never filled up")
            let notReady = try await relay.request(method: .GET, path: "/readyz", token: nil)
            #expect(notReady.status == 503)
            #expect(notReady.headers["content-type"] == "application/problem+json")
            #expect(notReady.members["detail"]?.string?.contains("store") == true)
            #expect(try await relay.request(method: .GET, path: "/healthz", token: nil).status == 200)
        }
    }
}
