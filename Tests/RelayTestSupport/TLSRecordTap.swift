import NIOCore
import NIOPosix
import Synchronization

/// A TCP relay on 127.0.0.1 in front of a TLS server that counts the TLS records clients send
/// through it: how requests are framed on the wire, below the encryption.
public final class TLSRecordTap: Sendable {
    /// The port clients connect to.
    public let port: Int
    private let tally: RecordTally

    private init(port: Int, tally: RecordTally) {
        self.port = port
        self.tally = tally
    }

    /// Connections accepted so far.
    public var connections: Int { tally.counts.withLock { $0.connections } }

    /// Application-data records (TLS content type 23) clients have sent so far. Under TLS 1.3
    /// this includes each connection's encrypted `Finished`.
    public var applicationDataRecords: Int { tally.counts.withLock { $0.applicationDataRecords } }

    /// Runs a tap forwarding to `127.0.0.1:target` for the duration of `body`.
    public static func with<T: Sendable>(
        forwardingTo target: Int, _ body: (TLSRecordTap) async throws -> T
    ) async throws -> T {
        let tally = RecordTally()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                ClientBootstrap(group: inbound.eventLoop).connect(host: "127.0.0.1", port: target).flatMap {
                    outbound in
                    inbound.eventLoop.makeCompletedFuture {
                        tally.counts.withLock { $0.connections += 1 }
                        try inbound.pipeline.syncOperations.addHandler(Forwarder(to: outbound, tally: tally))
                        try outbound.pipeline.syncOperations.addHandler(Forwarder(to: inbound, tally: nil))
                    }.flatMap { inbound.setOption(.autoRead, value: true) }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let tap = TLSRecordTap(port: server.localAddress?.port ?? 0, tally: tally)
        return try await closing(server) { try await body(tap) }
    }
}

/// What a tap has counted, shared by its connections.
private final class RecordTally: Sendable {
    struct Counts {
        var connections = 0
        var applicationDataRecords = 0
    }

    let counts = Mutex(Counts())

    func record(contentType: UInt8) {
        if contentType == 23 { counts.withLock { $0.applicationDataRecords += 1 } }
    }
}

/// Passes what one side reads to the other, reading record headers on the way when it has a tally.
private final class Forwarder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let peer: any Channel
    private let tally: RecordTally?
    /// Bytes of the record header read so far.
    private var header: [UInt8] = []
    /// Bytes of the current record's body still to come.
    private var bodyLeft = 0

    init(to peer: any Channel, tally: RecordTally?) {
        self.peer = peer
        self.tally = tally
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if let tally { readRecords(buffer, tally: tally) }
        peer.writeAndFlush(buffer, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        peer.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// A record is a 5-byte header (type, version, length) and `length` bytes of body.
    private func readRecords(_ buffer: ByteBuffer, tally: RecordTally) {
        let bytes = Array(buffer.readableBytesView)
        var index = 0
        while index < bytes.count {
            if bodyLeft > 0 {
                let skipped = min(bodyLeft, bytes.count - index)
                index += skipped
                bodyLeft -= skipped
                continue
            }
            header.append(bytes[index])
            index += 1
            if header.count == 5 {
                tally.record(contentType: header[0])
                bodyLeft = Int(header[3]) << 8 | Int(header[4])
                header = []
            }
        }
    }
}
