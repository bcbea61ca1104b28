import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// An HTTP `CONNECT` proxy on 127.0.0.1 that records each tunnel request (its head, verbatim)
/// and relays bytes both ways; or refuses every tunnel with a status, as a proxy asking for
/// credentials does.
public final class TestProxy: Sendable {
    public let port: Int
    private let log: ProxyLog

    private init(port: Int, log: ProxyLog) {
        self.port = port
        self.log = log
    }

    /// `http://[userinfo@]127.0.0.1:<port>`.
    public func url(userinfo: String? = nil) -> String {
        "http://\(userinfo.map { $0 + "@" } ?? "")127.0.0.1:\(port)"
    }

    /// The head of every `CONNECT` received so far (request line and headers).
    public var connectRequests: [String] { log.heads.withLock { $0 } }

    /// What happened to each tunnel (connected, closed by either side), to say why a test failed.
    public var tunnelEvents: [String] { log.events.withLock { $0 } }

    /// Runs a proxy for the duration of `body`; with `refusing`, every tunnel gets that status.
    public static func with<T: Sendable>(refusing: Int? = nil, _ body: (TestProxy) async throws -> T) async throws -> T
    {
        let log = ProxyLog()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectHandler(log: log, refusing: refusing))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let proxy = TestProxy(port: server.localAddress?.port ?? 0, log: log)
        return try await closing(server) { try await body(proxy) }
    }
}

private final class ProxyLog: Sendable {
    let heads = Mutex<[String]>([])
    let events = Mutex<[String]>([])

    func note(_ event: String) { events.withLock { $0.append(event) } }
}

/// Reads one `CONNECT` head, connects to its target and relays bytes from then on.
private final class ConnectHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let log: ProxyLog
    private let refusing: Int?
    private var head = ""
    private var upstream: (any Channel)?

    init(log: ProxyLog, refusing: Int?) {
        self.log = log
        self.refusing = refusing
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if let upstream {
            upstream.writeAndFlush(buffer, promise: nil)
            return
        }
        head += String(buffer: buffer)
        guard let end = head.range(of: "\r\n\r\n") else { return }
        let request = String(head[..<end.lowerBound])
        log.heads.withLock { $0.append(request) }
        if let refusing {
            context.writeAndFlush(
                wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 \(refusing) Refused\r\nContent-Length: 0\r\n\r\n")),
                promise: nil)
            context.close(promise: nil)
            return
        }
        let parts = request.split(separator: " ")
        guard parts.count >= 2, parts[0] == "CONNECT", let colon = parts[1].lastIndex(of: ":"),
            let port = Int(parts[1][parts[1].index(after: colon)...])
        else {
            context.close(promise: nil)
            return
        }
        // The test servers listen on 127.0.0.1 only: dialing `localhost` by name would also try
        // ::1, where another test's listener may hold the same port number.
        let named = String(parts[1][..<colon])
        let host = named == "localhost" ? "127.0.0.1" : named
        let log = self.log
        let client = context.channel
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        ClientBootstrap(group: context.eventLoop)
            .channelInitializer { upstream in
                upstream.eventLoop.makeCompletedFuture {
                    try upstream.pipeline.syncOperations.addHandler(Relay(to: client, log: log))
                }
            }
            .connect(host: host, port: port)
            .whenComplete { result in
                let (handler, context) = loopBound.value
                switch result {
                case .success(let upstream):
                    log.note("connected to \(upstream.remoteAddress.map { "\($0)" } ?? host)")
                    handler.upstream = upstream
                    context.writeAndFlush(
                        handler.wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 200 Connection established\r\n\r\n")),
                        promise: nil)
                case .failure(let error):
                    log.note("could not connect to \(host):\(port): \(error)")
                    context.writeAndFlush(
                        handler.wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 502 Bad Gateway\r\n\r\n")), promise: nil)
                    context.close(promise: nil)
                }
            }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let upstream {
            log.note("the client closed its side")
            upstream.close(promise: nil)
        }
    }
}

/// Passes what the upstream side reads to the client.
private final class Relay: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let client: any Channel
    private let log: ProxyLog

    init(to client: any Channel, log: ProxyLog) {
        self.client = client
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        client.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        log.note("the destination closed its side")
        client.close(promise: nil)
    }
}
