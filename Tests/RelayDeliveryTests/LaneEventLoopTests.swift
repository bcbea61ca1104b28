import NIOCore
import NIOPosix
import RelayCore
import RelayTestSupport
import Testing

@testable import RelayDelivery

/// A lane runs on one event loop and opens its connections there, so an answer resumes it
/// without a hand-over between threads.
@Suite(.timeLimit(.minutes(1))) struct LaneEventLoopTests {
    @Test func whatRunsOnTheTransportsLoopStaysThereAndConnectsThere() async throws {
        try await TestReceiver.with { receiver in
            let transport = try HTTPTransport(
                configuration: .init(trustedCAFile: TestFixtures.caFile, allowPrivateNetworks: true))
            for _ in 1...4 {
                await transport.onOwnEventLoop {
                    let loop = try? #require(MultiThreadedEventLoopGroup.currentEventLoop)
                    let reply = await transport.send(.test(receiver.url("/hook")))
                    #expect(reply.response == .http(status: 200, retryAfter: nil, body: []))
                    #expect(MultiThreadedEventLoopGroup.currentEventLoop === loop, "resumed on another thread")
                    let key = ConnectionKey(host: "localhost", port: receiver.port, guarded: false)
                    let connection = try? #require(transport.pool.take(key))
                    #expect(connection?.channel.eventLoop === loop, "the connection is on another loop")
                    try? await connection?.channel.close()
                }
            }
            try await transport.shutdown()
            #expect(receiver.requests(path: "/hook").count == 4)
        }
    }

    /// A lane resumed onto the other loop used to take the connections its webhook's last lane
    /// had left idle there, and kept them (each was put back after its request): every request
    /// and answer then crossed between two threads, at half the rate.
    @Test func aLaneTakesOnlyConnectionsOnItsOwnLoopAndOpensItsOwn() async throws {
        let loops = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let (first, second) = (loops.next(), loops.next())
        try await ScriptedHTTPSServer.with { server in
            let transport = try HTTPTransport.forTests(allowPrivateNetworks: true)
            for loop in [first, second, first, second, first] {
                let reply = await Connector.$preferredLoop.withValue(loop) { await transport.send(.test(server.url())) }
                #expect(reply.response == .http(status: 200, retryAfter: nil, body: Array("ok".utf8)))
            }
            #expect(server.requests.count == 5)
            #expect(server.connections == 2, "one connection per loop, each kept alive")
            let key = ConnectionKey(host: "localhost", port: server.port, guarded: false)
            let onSecond = try #require(transport.pool.take(key, on: second))
            #expect(onSecond.channel.eventLoop === second)
            #expect(transport.pool.take(key, on: second) == nil, "the first loop's connection is not handed over")
            let onFirst = try #require(transport.pool.take(key))
            #expect(onFirst.channel.eventLoop === first)
            try await transport.shutdown()
        }
        try await loops.shutdownGracefully()
    }
}
