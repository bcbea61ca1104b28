import Foundation
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

/// Deliveries through `delivery.proxy` (SPEC §5.3): the relay tunnels through it, and the proxy's
/// credentials reach the proxy and nothing else — not the logs (at trace level), not the
/// delivery log, not the receiver.
@Suite struct ProxyDeliveryTests {
    @Test func eventsGoThroughTheProxyAndItsCredentialsAppearNowhereElse() async throws {
        try await TestProxy.with { proxy in
            let logs = LogCapture()
            try await withReceivingRelay(
                webhooks: { [try hook("proxied", url: $0.url("/proxied"))] },
                configure: { $0.delivery.proxy = .init(url: proxy.url(userinfo: "relay:pr0xy-s3cret")) }, logs: logs
            ) { relay, receiver in
                #expect(
                    try await relay.postEvents(
                        #"[{"type":"user.login","id":"p1"},{"type":"user.login","id":"p2"}]"#
                    ).status == 202)
                let received = try await receiver.waitForRequests(2, path: "/proxied")
                #expect(Set(received.map { $0.text.contains(#""id":"p1""#) }) == [true, false])
                let store = try relay.openStore()
                #expect(try await eventually { try await store.attempts().count == 2 })
                let attempts = try await store.attempts()
                #expect(attempts.allSatisfy { $0.outcome == .delivered })

                let expected = "Basic " + Data("relay:pr0xy-s3cret".utf8).base64EncodedString()
                #expect(proxy.connectRequests.allSatisfy { $0.contains("Proxy-Authorization: \(expected)") })
                #expect(!proxy.connectRequests.isEmpty)
                let recorded = attempts.map { "\($0)" }.joined()
                for secret in ["pr0xy-s3cret", expected, String(expected.dropFirst(6))] {
                    #expect(!logs.text.contains(secret), "the logs hold the proxy's credentials")
                    #expect(!recorded.contains(secret), "the delivery log holds the proxy's credentials")
                    #expect(!received.contains { "\($0.headers)".contains(secret) })
                }
            }
        }
    }

    @Test func aProxyRefusingTheTunnelIsARetriedAttemptWithoutItsCredentials() async throws {
        try await TestProxy.with(refusing: 407) { proxy in
            var configuration = testConfiguration(
                directory: try TestFixtures.temporaryDirectory(),
                webhooks: [try hook("proxied", url: "https://localhost:9/never")])
            configuration.delivery.proxy = .init(url: proxy.url(userinfo: "relay:pr0xy-s3cret"))
            let logs = LogCapture()
            try await withRelay(configuration, logs: logs) { relay in
                #expect(try await relay.postEvents(#"{"type":"user.login","id":"p3"}"#).status == 202)
                let store = try relay.openStore()
                #expect(try await eventually { try await store.attempts().count >= 1 })
                // The first attempt: by the time it is read, the 200 ms retries may have followed.
                let attempt = try #require(try await store.attempts().last)
                #expect(attempt.attempt == 1)
                #expect(attempt.outcome == .retrying)
                #expect(attempt.error == "the proxy refused the tunnel: HTTP 407")
                #expect(!logs.text.contains("pr0xy-s3cret"))
            }
        }
    }
}
