import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import RelayCore
import RelayServer
import RelayTestSupport
import Testing

/// The server lets go of connections that send no request (SPEC §1 `server.headerTimeout`,
/// `server.idleTimeout`) and serves HTTPS itself with `server.tls` (SPEC §10).
@Suite struct ServerConnectionTests {
    /// Collects what a raw connection reads.
    private final class Reader: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        var received = ByteBuffer()

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            received.writeBuffer(&buffer)
        }
    }

    /// A plain TCP connection to the relay that has sent `bytes` (or been closed before they went).
    private static func connect(_ relay: RunningRelay, sending bytes: String, reader: Reader? = nil) async throws
        -> any Channel
    {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let reader { try channel.pipeline.syncOperations.addHandler(reader) }
                }
            }
            .connect(host: "127.0.0.1", port: relay.port).get()
        try? await channel.writeAndFlush(ByteBuffer(string: bytes))
        return channel
    }

    private static func configuration(headerTimeout: Int64 = 3000, idleTimeout: Int64 = 4000) throws
        -> RelayConfiguration
    {
        var configuration = testConfiguration(directory: try TestFixtures.temporaryDirectory(), webhooks: [])
        configuration.server.headerTimeout = RelayDuration(milliseconds: headerTimeout)
        configuration.server.idleTimeout = RelayDuration(milliseconds: idleTimeout)
        return configuration
    }

    @Test func connectionsThatSendHalfAHeadAreClosedAndTheRelayKeepsServing() async throws {
        try await withRelay(try Self.configuration()) { relay in
            var channels: [any Channel] = []
            for _ in 0..<300 {
                channels.append(
                    try await Self.connect(relay, sending: "POST /v1/events HTTP/1.1\r\nHost: relay\r\nContent-"))
            }
            #expect(try await relay.request(method: .GET, path: "/healthz").status == 200, "served while they hang")
            #expect(
                try await eventually(timeout: .seconds(20)) { channels.allSatisfy { !$0.isActive } },
                "\(channels.filter(\.isActive).count) of 300 half-open connections are still open")
            #expect(try await relay.request(method: .GET, path: "/healthz").status == 200, "and served after")
        }
    }

    @Test func aKeptAliveConnectionIsClosedWhenUnusedAndKeptWhileUsed() async throws {
        try await withRelay(try Self.configuration()) { relay in
            let request = "GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n"
            let idleReader = Reader()
            let idle = try await Self.connect(relay, sending: request, reader: idleReader)
            let busyReader = Reader()
            let busy = try await Self.connect(relay, sending: request, reader: busyReader)
            // The busy one asks again every half second for six seconds (past the 4 s idle time-out).
            for _ in 0..<12 {
                try await Task.sleep(for: .milliseconds(500))
                try await busy.writeAndFlush(ByteBuffer(string: request))
            }
            #expect(busy.isActive, "a connection in use is kept")
            #expect(try await eventually(timeout: .seconds(10)) { !idle.isActive }, "an unused one is closed")
            let idleAnswers = try await idle.eventLoop.submit { idleReader.received.readableBytesView }.get()
            #expect(String(decoding: idleAnswers, as: UTF8.self).hasPrefix("HTTP/1.1 200"), "it was answered first")
            let answered = try await eventually {
                let answers = try await busy.eventLoop.submit { String(buffer: busyReader.received) }.get()
                return answers.components(separatedBy: "HTTP/1.1 200").count - 1 == 13
            }
            #expect(answered, "every request was answered")
            try await busy.close()
        }
    }

    @Test func theRelayServesHTTPSWithTheConfiguredCertificate() async throws {
        var configuration = try Self.configuration(headerTimeout: 10_000, idleTimeout: 60_000)
        configuration.server.tls = .init(certificateFile: TestFixtures.certificateFile, keyFile: TestFixtures.keyFile)
        try await withRelay(configuration) { relay in
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(TestFixtures.caFile)
            let client = HTTPClient(
                eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
            let status = try? await client.execute(
                HTTPClientRequest(url: "https://localhost:\(relay.port)/healthz"), timeout: .seconds(10)
            ).status
            try await client.shutdown()
            #expect(status == .ok)
            let plain = try? await relay.request(method: .GET, path: "/healthz")
            #expect(plain?.status != 200, "plain HTTP is not served on the HTTPS port")
        }
    }

    @Test func anUnreadableCertificateOrKeyStopsTheStartNamingTheKey() async throws {
        var configuration = try Self.configuration()
        configuration.server.tls = .init(certificateFile: TestFixtures.certificateFile, keyFile: "/nonexistent/key.pem")
        do {
            try await withRelay(configuration) { _ in Issue.record("the relay started") }
        } catch let error as StartupError {
            #expect(error.description.hasPrefix("server.tls.keyFile:"), "\(error)")
        }
        configuration.server.tls = .init(
            certificateFile: TestFixtures.caFile + ".missing", keyFile: TestFixtures.keyFile)
        do {
            try await withRelay(configuration) { _ in Issue.record("the relay started") }
        } catch let error as StartupError {
            #expect(error.description.hasPrefix("server.tls.certificateFile:"), "\(error)")
        }
    }
}
