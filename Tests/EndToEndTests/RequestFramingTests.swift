import NIOCore
import NIOEmbedded
import NIOHTTP1
import RelayCore
import RelayTestSupport
import Testing

@testable import RelayDelivery

/// How a delivery request crosses the wire: each leaves as one TLS record (head and body
/// together), seen by a tap between the transport and a real TLS receiver.
@Suite(.timeLimit(.minutes(1))) struct RequestFramingTests {
    @Test func eachRequestOnAKeptAliveConnectionIsOneTLSRecord() async throws {
        try await TestReceiver.with { receiver in
            try await TLSRecordTap.with(forwardingTo: receiver.port) { tap in
                let transport = try HTTPTransport(
                    configuration: .init(
                        trustedCAFile: TestFixtures.caFile, refuseNonPublicAddresses: false, connectionsPerHost: 1))
                let request = OutboundRequest(
                    url: "https://localhost:\(tap.port)/hook",
                    headers: [(name: "Content-Type", value: "application/json")],
                    body: Array(#"{"type":"user.login","data":"\#(String(repeating: "x", count: 1000))"}"#.utf8))
                var statuses: [AttemptResponse] = []
                // The first request also opens the connection (the TLS 1.3 Finished is a record too).
                statuses.append(await transport.send(request).response)
                let recordsBefore = tap.applicationDataRecords
                for _ in 1...5 { statuses.append(await transport.send(request).response) }
                let records = tap.applicationDataRecords - recordsBefore
                try await transport.shutdown()

                #expect(statuses == Array(repeating: .http(status: 200, retryAfter: nil, body: []), count: 6))
                #expect(tap.connections == 1)
                #expect(records == 5, "AsyncHTTPClient alone sends head and body as two records each")
                #expect(receiver.requests(path: "/hook").map(\.body) == Array(repeating: request.body, count: 6))
            }
        }
    }

    @Test func aBodyLargerThanARecordArrivesWholeAfterSmallRequests() async throws {
        try await TestReceiver.with { receiver in
            let transport = try HTTPTransport(
                configuration: .init(
                    trustedCAFile: TestFixtures.caFile, refuseNonPublicAddresses: false, connectionsPerHost: 1))
            let bodies = [
                Array("small".utf8), (0..<200_000).map { UInt8(truncatingIfNeeded: $0 % 251) }, Array("tail".utf8),
            ]
            var responses: [AttemptResponse] = []
            for body in bodies {
                let request = OutboundRequest(url: receiver.url("/large"), headers: [], body: body)
                responses.append(await transport.send(request).response)
            }
            try await transport.shutdown()

            #expect(responses == Array(repeating: .http(status: 200, retryAfter: nil, body: []), count: 3))
            #expect(receiver.requests(path: "/large").map(\.body) == bodies)
        }
    }

    @Test func aConnectionTheHandlersCannotJoinIsClosedAndFails() throws {
        let channel = EmbeddedChannel()  // no HTTP encoder to put them around
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 443)).wait()
        let installed = RequestCoalescing.install(on: channel)
        channel.embeddedEventLoop.run()

        #expect(throws: (any Error).self) { try installed.wait() }
        #expect(!channel.isActive)
    }

    /// An embedded channel with the encoder and both handlers, as a connection has them.
    private static func coalescingChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(HTTPRequestEncoder())
        let installed = RequestCoalescing.install(on: channel)
        channel.embeddedEventLoop.run()
        try installed.wait()
        return channel
    }

    @Test func headBodyAndEndLeaveAsOneBufferAtTheEndsFlushAndEveryWriteSucceeds() throws {
        let channel = try Self.coalescingChannel()
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/hook")
        head.headers.add(name: "Content-Length", value: "5")
        let parts: [HTTPClientRequestPart] = [.head(head), .body(.byteBuffer(ByteBuffer(string: "hello"))), .end(nil)]
        var written: [EventLoopFuture<Void>] = []
        var outbound: [[ByteBuffer]] = []
        for part in parts {
            written.append(channel.writeAndFlush(part))
            var flushed: [ByteBuffer] = []
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) { flushed.append(buffer) }
            outbound.append(flushed)
        }

        #expect(outbound[0].isEmpty && outbound[1].isEmpty, "nothing leaves before the request's end")
        #expect(outbound[2].map { String(buffer: $0) } == ["POST /hook HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"])
        for future in written { try future.wait() }
        _ = try channel.finish()
    }

    @Test func aStreamedRequestIsFlushedAsItIsWritten() throws {
        let channel = try Self.coalescingChannel()
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/stream")
        head.headers.add(name: "Transfer-Encoding", value: "chunked")
        try channel.writeAndFlush(HTTPClientRequestPart.head(head)).wait()

        let flushed = try channel.readOutbound(as: ByteBuffer.self)
        #expect(flushed.map { String(buffer: $0) }?.hasPrefix("POST /stream HTTP/1.1\r\n") == true)
        _ = try channel.finish()
    }
}
