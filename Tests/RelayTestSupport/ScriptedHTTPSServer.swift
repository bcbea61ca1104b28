import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// What a ``ScriptedHTTPSServer`` sends back for one request: raw bytes, and what it does with
/// the connection afterwards — the behaviours of receivers nobody here wrote.
public struct ScriptedAnswer: Sendable {
    /// What happens to the connection after the answer is written.
    public enum Then: Sendable {
        case keepOpen
        /// TLS `close_notify`, then the TCP close.
        case closeCleanly
        /// The TCP close alone, as simple servers and some load balancers do.
        case closeWithoutCloseNotify
    }

    public var bytes: String
    public var then: Then

    public init(_ bytes: String, then: Then = .keepOpen) {
        self.bytes = bytes
        self.then = then
    }

    /// `HTTP/1.1 200 OK` with a `Content-Length` body, kept alive.
    public static let ok = ScriptedAnswer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
}

/// An HTTPS server on 127.0.0.1 (the test CA's `localhost` certificate) that answers each request
/// with scripted bytes and counts connections and requests: for the answers a framework-made
/// receiver cannot give (HTTP/1.0 with a close-delimited body, a close without `close_notify`).
public final class ScriptedHTTPSServer: Sendable {
    public let port: Int
    private let tally: ServerTally

    private init(port: Int, tally: ServerTally) {
        self.port = port
        self.tally = tally
    }

    /// `https://localhost:<port><path>`.
    public func url(_ path: String = "/hook") -> String { "https://localhost:\(port)\(path)" }

    /// Connections accepted so far.
    public var connections: Int { tally.state.withLock { $0.connections } }

    /// Connections closed so far (by either side).
    public var closedConnections: Int { tally.state.withLock { $0.closed } }

    /// Requests received so far, whole.
    public var requests: [ReceivedRequest] { tally.state.withLock { $0.requests } }

    /// The errors that closed a connection (TLS or HTTP parsing), to say why a test failed.
    public var errors: [String] { tally.state.withLock { $0.errors } }

    /// Runs a server for the duration of `body`; `answer` is called for each request.
    public static func with<T: Sendable>(
        answer: @escaping @Sendable (ReceivedRequest) -> ScriptedAnswer = { _ in .ok },
        _ body: (ScriptedHTTPSServer) async throws -> T
    ) async throws -> T {
        let tally = ServerTally()
        let tls = try NIOSSLContext(
            configuration: .makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(TestFixtures.certificateFile).map {
                    .certificate($0)
                },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: TestFixtures.keyFile, format: .pem))))
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                tally.state.withLock { $0.connections += 1 }
                channel.closeFuture.whenComplete { _ in tally.state.withLock { $0.closed += 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    let closer = RawCloser()
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(closer)
                    try pipeline.addHandler(NIOSSLServerHandler(context: tls))
                    try pipeline.addHandler(ByteToMessageHandler(HTTPRequestDecoder()))
                    try pipeline.addHandler(ScriptHandler(answer: answer, tally: tally, closer: closer))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let scripted = ScriptedHTTPSServer(port: server.localAddress?.port ?? 0, tally: tally)
        return try await closing(server) { try await body(scripted) }
    }
}

private final class ServerTally: Sendable {
    struct State {
        var connections = 0
        var closed = 0
        var requests: [ReceivedRequest] = []
        var errors: [String] = []
    }

    let state = Mutex(State())
}

/// Sits below TLS, so a close from here skips `close_notify`.
private final class RawCloser: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func closeWithoutTLS() { context?.close(promise: nil) }
}

private final class ScriptHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    private let answer: @Sendable (ReceivedRequest) -> ScriptedAnswer
    private let tally: ServerTally
    private let closer: RawCloser
    private var request: ReceivedRequest?

    init(answer: @escaping @Sendable (ReceivedRequest) -> ScriptedAnswer, tally: ServerTally, closer: RawCloser) {
        self.answer = answer
        self.tally = tally
        self.closer = closer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            var headers: [String: String] = [:]
            for (name, value) in head.headers { headers[name.lowercased()] = value }
            request = ReceivedRequest(path: head.uri, headers: headers, body: [], receivedAt: .now)
        case .body(let buffer):
            request?.body += buffer.readableBytesView
        case .end:
            guard let received = request else { return }
            request = nil
            tally.state.withLock { $0.requests.append(received) }
            let scripted = answer(received)
            let written = context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: scripted.bytes)))
            let closer = NIOLoopBound(self.closer, eventLoop: context.eventLoop)
            let channel = context.channel
            written.whenComplete { _ in
                switch scripted.then {
                case .keepOpen: break
                case .closeCleanly: channel.close(promise: nil)
                case .closeWithoutCloseNotify: closer.value.closeWithoutTLS()
                }
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        tally.state.withLock { $0.errors.append("\(error)") }
        context.close(promise: nil)
    }
}
