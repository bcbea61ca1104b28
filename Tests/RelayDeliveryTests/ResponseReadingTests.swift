import RelayCore
import RelayTestSupport
import Testing

@testable import RelayDelivery

/// How answers are read: the response head decides, however the body ends; kept-alive
/// connections the destination closed are replaced without a failed attempt.
@Suite(.timeLimit(.minutes(1))) struct ResponseReadingTests {
    @Test func anHTTP10AnswerClosedWithoutCloseNotifyIsTheAnswer() async throws {
        let answer = ScriptedAnswer(
            "HTTP/1.0 200 OK\r\nServer: BaseHTTP/0.6 Python/3.11.7\r\nContent-Type: text/plain\r\n\r\nreceived",
            then: .closeWithoutCloseNotify)
        try await ScriptedHTTPSServer.with(answer: { _ in answer }) { server in
            let transport = try HTTPTransport.forTests(allowPrivateNetworks: true)
            var responses: [AttemptResponse] = []
            for index in 1...3 { responses.append(await transport.send(.test(server.url("/\(index)"))).response) }
            try await transport.shutdown()

            for response in responses {
                guard case .http(200, nil, let body) = response else {
                    Issue.record("expected a 200, got \(response)")
                    continue
                }
                #expect("received".hasPrefix(String(decoding: body, as: UTF8.self)))
            }
            #expect(server.requests.map(\.path) == ["/1", "/2", "/3"], "each request sent once")
            #expect(server.connections == 3, "an HTTP/1.0 answer ends its connection")
        }
    }

    @Test func aStatusWithAHeadButNoBodyEndIsDecidedByTheHead() async throws {
        // A Content-Length longer than what is sent, then a close: the head has arrived.
        let answer = ScriptedAnswer(
            "HTTP/1.1 503 Busy\r\nRetry-After: 7\r\nContent-Length: 100\r\n\r\nbusy", then: .closeCleanly)
        try await ScriptedHTTPSServer.with(answer: { _ in answer }) { server in
            let transport = try HTTPTransport.forTests(allowPrivateNetworks: true)
            let reply = await transport.send(.test(server.url()))
            try await transport.shutdown()

            #expect(reply.response == .http(status: 503, retryAfter: "7", body: Array("busy".utf8)))
        }
    }

    @Test func onlyTheFirstKiBOfTheBodyIsKeptAndTheConnectionIsReused() async throws {
        let body = String(repeating: "b", count: 5000)
        let answer = ScriptedAnswer("HTTP/1.1 400 Bad\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        try await ScriptedHTTPSServer.with(answer: { _ in answer }) { server in
            let transport = try HTTPTransport.forTests(allowPrivateNetworks: true)
            let first = await transport.send(.test(server.url()))
            let second = await transport.send(.test(server.url()))
            try await transport.shutdown()

            #expect(
                first.response
                    == .http(status: 400, retryAfter: nil, body: Array(repeating: UInt8(ascii: "b"), count: 1024)))
            #expect(second.response == first.response)
            #expect(server.connections == 1)
        }
    }

    @Test func aConnectionClosedWhileIdleIsReplacedWithoutAFailedAttempt() async throws {
        // The server closes each connection cleanly right after its answer, as one with a short
        // keep-alive does between requests.
        let answer = ScriptedAnswer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", then: .closeCleanly)
        try await ScriptedHTTPSServer.with(answer: { _ in answer }) { server in
            let transport = try HTTPTransport.forTests(allowPrivateNetworks: true)
            var responses: [AttemptResponse] = []
            for _ in 1...3 {
                responses.append(await transport.send(.test(server.url())).response)
                let closed = server.connections
                #expect(await eventually { server.closedConnections >= closed })
            }
            try await transport.shutdown()

            #expect(
                responses == Array(repeating: .http(status: 200, retryAfter: nil, body: Array("ok".utf8)), count: 3))
            #expect(server.requests.count == 3, "no request was sent twice")
            #expect(server.connections == 3)
        }
    }

    @Test func noAnswerBeforeTheDeadlineIsATimeout() async throws {
        try await TestReceiver.with(respond: { _ in ReceiverReply(delay: .seconds(8)) }) { receiver in
            let transport = try HTTPTransport.forTests(allowPrivateNetworks: true, timeout: .seconds(2))
            let reply = await transport.send(.test(receiver.url()))
            try await transport.shutdown()

            #expect(reply.response.failure == TransportFailure(.timeout, "the request timed out"))
        }
    }

    @Test func aRequestOnAKeptAliveConnectionHasItsOwnDeadline() async throws {
        // The connection's timer was armed for the first request's deadline. It fires while the
        // second one (whose head never ends) is in flight, and must wait for that one's deadline
        // rather than cut it short.
        let unfinishedHead = ScriptedAnswer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n")
        try await ScriptedHTTPSServer.with(answer: { $0.path == "/hang" ? unfinishedHead : .ok }) { server in
            let transport = try HTTPTransport.forTests(allowPrivateNetworks: true, timeout: .seconds(2))
            let first = await transport.send(.test(server.url("/answer")))
            try await Task.sleep(for: .seconds(1))
            let sent = ContinuousClock.now
            let second = await transport.send(.test(server.url("/hang")))
            let waited = ContinuousClock.now - sent
            try await transport.shutdown()

            #expect(first.response == .http(status: 200, retryAfter: nil, body: Array("ok".utf8)))
            #expect(second.response.failure == TransportFailure(.timeout, "the request timed out"))
            #expect(waited >= .seconds(2), "timed out after \(waited), before its own deadline")
            #expect(server.connections == 1, "both requests went on one connection")
        }
    }

    @Test func anUntrustedCertificateIsATLSFailure() async throws {
        try await ScriptedHTTPSServer.with { server in
            let transport = try HTTPTransport(configuration: .init(allowPrivateNetworks: true))  // no test CA
            let reply = await transport.send(.test(server.url()))
            try await transport.shutdown()

            #expect(reply.response.failure?.kind == .tls)
            #expect(server.requests.isEmpty)
        }
    }
}

/// `delivery.connectionMaxAge`: a kept-alive connection is not reused once it is that old, so
/// the next request resolves the host again.
@Suite(.timeLimit(.minutes(1))) struct ConnectionAgeTests {
    @Test func aConnectionPastItsMaxAgeIsReplaced() async throws {
        try await ScriptedHTTPSServer.with { server in
            let configuration = HTTPTransport.Configuration(
                trustedCAFile: TestFixtures.caFile, allowPrivateNetworks: true,
                connectionMaxAge: .seconds(5))
            let transport = try HTTPTransport(configuration: configuration)
            _ = await transport.send(.test(server.url()))
            _ = await transport.send(.test(server.url()))
            let reused = server.connections
            // The connection is older than 5 s after this, and was younger when the second request
            // went: five seconds leave room for a handshake on two busy cores.
            try await Task.sleep(for: .milliseconds(5100))
            _ = await transport.send(.test(server.url()))
            try await transport.shutdown()

            #expect(reused == 1, "a young connection is reused")
            #expect(server.connections == 2, "an old one is not")
            #expect(server.requests.count == 3)
        }
    }
}
