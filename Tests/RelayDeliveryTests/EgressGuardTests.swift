import RelayCore
import RelayTestSupport
import Testing

@testable import RelayDelivery

/// SPEC §5.3: no packet goes to a refused address. A listening socket that counts `accept()`s
/// stands at the address; for a refused destination it must count zero.
@Suite(.timeLimit(.minutes(1))) struct EgressGuardTests {
    @Test func localhostThroughTheSystemResolverIsRefusedBeforeAnySYN() async throws {
        try await AcceptCounter.with { counter in
            let transport = try HTTPTransport.forTests()
            let reply = await transport.send(.test("https://localhost:\(counter.port)/hook"))
            try await transport.shutdown()

            let failure = try #require(reply.response.failure)
            #expect(failure.kind == .nonPublicAddress)
            #expect(failure.message == "destination resolves to a non-public address (127.0.0.1)")
            #expect(counter.accepted == 0)
        }
    }

    @Test func ipv6LoopbackIsRefusedBeforeAnySYN() async throws {
        try await AcceptCounter.with(host: "::1") { counter in
            let transport = try HTTPTransport.forTests(resolver: FixedResolver(answers: ["v6.test": ["::1"]]))
            let reply = await transport.send(.test("https://v6.test:\(counter.port)/hook"))
            try await transport.shutdown()

            #expect(reply.response.failure?.message == "destination resolves to a non-public address (::1)")
            #expect(counter.accepted == 0)
        }
    }

    @Test func aNameWithAPublicAndAPrivateAddressIsRefusedWhole() async throws {
        try await AcceptCounter.with { counter in
            // Happy Eyeballs would try the public address and then the private one; neither is tried.
            let resolver = FixedResolver(answers: ["mixed.test": ["93.184.215.14", "127.0.0.1"]])
            let transport = try HTTPTransport.forTests(resolver: resolver)
            let reply = await transport.send(.test("https://mixed.test:\(counter.port)/hook"))
            try await transport.shutdown()

            #expect(reply.response.failure?.message == "destination resolves to a non-public address (127.0.0.1)")
            #expect(counter.accepted == 0)
        }
    }

    @Test func mappedAndEmbeddedFormsOfPrivateAddressesAreRefused() async throws {
        let resolver = FixedResolver(answers: [
            "mapped.test": ["::ffff:127.0.0.1"], "nat64.test": ["64:ff9b::a9fe:a9fe"],
            "metadata.test": ["169.254.169.254"],
        ])
        let transport = try HTTPTransport.forTests(resolver: resolver)
        for host in ["mapped.test", "nat64.test", "metadata.test"] {
            let reply = await transport.send(.test("https://\(host)/hook"))
            #expect(reply.response.failure?.kind == .nonPublicAddress, "\(host)")
        }
        try await transport.shutdown()
    }

    @Test func aRefusedDestinationIsRefusedThroughTheProxyToo() async throws {
        try await AcceptCounter.with { counter in
            try await TestProxy.with { proxy in
                let transport = try HTTPTransport.forTests(proxy: try ProxySettings(url: proxy.url()))
                let reply = await transport.send(.test("https://localhost:\(counter.port)/hook"))
                try await transport.shutdown()

                #expect(reply.response.failure?.kind == .nonPublicAddress)
                #expect(proxy.connectRequests.isEmpty, "the destination is checked before CONNECT is sent")
                #expect(counter.accepted == 0)
            }
        }
    }

    @Test func anAllowedPrivateDestinationIsReachedAtTheCheckedAddress() async throws {
        try await ScriptedHTTPSServer.with { server in
            // Allowed per request (a webhook's allowPrivateNetwork) and for every request (the relay's switch).
            let guarded = try HTTPTransport.forTests()
            let perRequest = await guarded.send(.test(server.url()), allowPrivateNetwork: true)
            try await guarded.shutdown()
            let open = try HTTPTransport.forTests(allowPrivateNetworks: true)
            let everywhere = await open.send(.test(server.url()))
            try await open.shutdown()

            #expect(perRequest.response == .http(status: 200, retryAfter: nil, body: Array("ok".utf8)))
            #expect(everywhere.response == .http(status: 200, retryAfter: nil, body: Array("ok".utf8)))
            #expect(server.requests.count == 2)
        }
    }

    @Test func aURLThatBreaksTheRulesIsRefusedBeforeResolving() async throws {
        let transport = try HTTPTransport.forTests(resolver: FixedResolver(answers: [:]))
        let reply = await transport.send(.test("http://example.com/hook"))
        try await transport.shutdown()

        #expect(
            reply.response.failure
                == TransportFailure(.refusedDestination, "the destination URL is refused: only https is allowed"))
    }
}
