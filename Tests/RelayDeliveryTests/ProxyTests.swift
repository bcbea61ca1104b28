import Foundation
import RelayCore
import RelayTestSupport
import Testing

@testable import RelayDelivery

/// Egress through an HTTP proxy (SPEC §5.3): a `CONNECT` tunnel with the proxy's credentials,
/// bypassed for `noProxy` hosts, and the credentials nowhere but in the `CONNECT`.
@Suite(.timeLimit(.minutes(1))) struct ProxyTests {
    @Test func deliveriesGoThroughOneTunnelWithTheProxysCredentials() async throws {
        try await ScriptedHTTPSServer.with { server in
            try await TestProxy.with { proxy in
                let settings = try ProxySettings(url: proxy.url(userinfo: "relay:pa%40ss"))
                let transport = try HTTPTransport.forTests(allowPrivateNetworks: true, proxy: settings)
                var responses: [AttemptResponse] = []
                for _ in 1...3 { responses.append(await transport.send(.test(server.url())).response) }
                try await transport.shutdown()

                #expect(
                    responses
                        == Array(repeating: .http(status: 200, retryAfter: nil, body: Array("ok".utf8)), count: 3),
                    "server errors: \(server.errors); tunnels: \(proxy.tunnelEvents)")
                #expect(server.requests.count == 3)
                #expect(server.connections == 1, "the tunnel is kept alive")
                let expected = "Basic " + Data("relay:pa@ss".utf8).base64EncodedString()
                #expect(
                    proxy.connectRequests == [
                        "CONNECT localhost:\(server.port) HTTP/1.1\r\nHost: localhost:\(server.port)\r\n"
                            + "Proxy-Authorization: \(expected)"
                    ])
                #expect(server.requests.allSatisfy { $0.headers["proxy-authorization"] == nil })
            }
        }
    }

    @Test func noProxyHostsAreReachedDirectly() async throws {
        try await ScriptedHTTPSServer.with { server in
            try await TestProxy.with { proxy in
                let settings = try ProxySettings(url: proxy.url(), noProxy: [".localhost", "other.example"])
                let transport = try HTTPTransport.forTests(allowPrivateNetworks: true, proxy: settings)
                let reply = await transport.send(.test(server.url()))
                try await transport.shutdown()

                #expect(reply.response == .http(status: 200, retryAfter: nil, body: Array("ok".utf8)))
                #expect(proxy.connectRequests.isEmpty)
                #expect(server.requests.count == 1)
            }
        }
    }

    @Test func aProxyThatRefusesTheTunnelIsAFailureWithoutItsCredentials() async throws {
        try await ScriptedHTTPSServer.with { server in
            try await TestProxy.with(refusing: 407) { proxy in
                let settings = try ProxySettings(url: proxy.url(userinfo: "relay:hunter2"))
                let transport = try HTTPTransport.forTests(allowPrivateNetworks: true, proxy: settings)
                let reply = await transport.send(.test(server.url()))
                try await transport.shutdown()

                let failure = try #require(reply.response.failure)
                #expect(failure == TransportFailure(.connect, "the proxy refused the tunnel: HTTP 407"))
                #expect(!"\(settings)".contains("hunter2"))
                #expect(server.connections == 0)
            }
        }
    }
}
