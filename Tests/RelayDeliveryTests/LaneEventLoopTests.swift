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
}
