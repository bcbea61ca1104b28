import NIOCore
import NIOHTTP1
import NIOTLS

/// What one request got back on a connection.
struct ExchangeResponse: Sendable {
    var status: Int
    var retryAfter: String?
    /// The body's first bytes, up to the limit the request asked for.
    var body: [UInt8]
    /// Whether the connection can carry the next request.
    var reusable: Bool
}

/// Why a request on a connection got no response head.
enum ExchangeError: Error {
    /// The connection was already closed (or busy) when the request came: nothing of it was
    /// written, so it may go again on another connection without counting an attempt.
    case notWritten
    /// The destination closed the connection before a complete response head.
    case closedBeforeResponse
    /// The request's deadline passed before a complete response head.
    case timedOut
    /// The send was cancelled (shutdown).
    case cancelled
}

/// Runs one request at a time on a kept-alive HTTP/1.1 connection, the last handler of its
/// pipeline (after TLS and NIO's response decoder).
///
/// The outcome of an attempt is decided by the response head: once a complete status line and
/// headers have arrived, the response is the answer however its body then ends — read to its
/// end, cut off by a close without TLS `close_notify`, or past the deadline. The body is read to
/// its end so the connection can be used again, and only its first `bodyLimit` bytes are kept.
final class ExchangeHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// Called once with a request's outcome, on the channel's event loop.
    typealias Completion = (Result<ExchangeResponse, any Error>) -> Void

    private struct Pending {
        var completion: Completion
        var bodyLimit: Int
        var deadline: NIODeadline
        var head: HTTPResponseHead?
        var body: [UInt8] = []
    }

    /// What NIO's response decoder must see of each request: only its method matters to it (the
    /// request's bytes, head and body, are encoded once by ``RequestEncoding``).
    private static let decoderHead = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/")

    private var context: ChannelHandlerContext?
    private var pending: Pending?
    /// The connection's one timer, armed at or before the deadline of the request in flight. A
    /// request does not schedule and cancel a timer of its own (3 % of a busy loop, session 14):
    /// the timer fires at the deadline it was armed for and, when a later request is in flight
    /// by then, moves on to that one's.
    private var timer: (at: NIODeadline, task: Scheduled<Void>)?
    /// Succeeds when the TLS handshake is done, fails if the connection fails first.
    let ready: EventLoopPromise<Void>

    init(ready: EventLoopPromise<Void>) {
        self.ready = ready
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(ExchangeError.closedBeforeResponse)
        ready.fail(ExchangeError.closedBeforeResponse)
        timer?.task.cancel()
        timer = nil
        self.context = nil
    }

    /// Writes `request` (a whole encoded request) in one write and calls `completion` with the
    /// response, once. Call on the channel's event loop. A callback rather than a future: a busy
    /// lane makes tens of thousands of these a second (docs/PERFORMANCE.md, session 13).
    func execute(_ request: ByteBuffer, deadline: NIODeadline, bodyLimit: Int, completion: @escaping Completion) {
        guard let context, context.channel.isActive, pending == nil else {
            completion(.failure(ExchangeError.notWritten))
            return
        }
        pending = Pending(completion: completion, bodyLimit: bodyLimit, deadline: deadline)
        armTimer(for: deadline, on: context.eventLoop)
        // No `.end`: the bytes are the whole request, and neither handler below needs it. Each
        // part costs a pass through NIO's generic response decoder (docs/PERFORMANCE.md, session 15).
        context.write(wrapOutboundOut(.head(Self.decoderHead)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(request))), promise: nil)
    }

    /// Makes sure the timer fires no later than `deadline`.
    private func armTimer(for deadline: NIODeadline, on loop: any EventLoop) {
        if let timer {
            guard deadline < timer.at else { return }
            timer.task.cancel()
        }
        let handler = NIOLoopBound(self, eventLoop: loop)
        timer = (deadline, loop.scheduleTask(deadline: deadline) { handler.value.timerFired(on: loop) })
    }

    /// Aborts the request in flight if its deadline has passed, else waits for that deadline.
    private func timerFired(on loop: any EventLoop) {
        timer = nil
        guard let deadline = pending?.deadline else { return }
        if deadline <= .now() {
            abort(ExchangeError.timedOut)
        } else {
            armTimer(for: deadline, on: loop)
        }
    }

    /// Ends the request in flight with `error` (or with its head, when that has arrived) and
    /// closes the connection.
    func abort(_ error: any Error) {
        fail(error)
        context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            pending?.head = head
        case .body(let buffer):
            guard let limit = pending?.bodyLimit, let kept = pending?.body.count, kept < limit else { return }
            pending?.body += buffer.readableBytesView.prefix(limit - kept)
        case .end:
            guard let finished = pending, let head = finished.head else { return }
            pending = nil
            if !head.isKeepAlive { context.close(promise: nil) }
            finished.completion(.success(Self.response(head, body: finished.body, reusable: head.isKeepAlive)))
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { ready.succeed() }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        ready.fail(error)
        abort(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        ready.fail(ExchangeError.closedBeforeResponse)
        fail(ExchangeError.closedBeforeResponse)
        context.fireChannelInactive()
    }

    /// Answers the request in flight: with its head when that has arrived, else with `error`.
    private func fail(_ error: any Error) {
        guard let failed = pending else { return }
        pending = nil
        if let head = failed.head {
            failed.completion(.success(Self.response(head, body: failed.body, reusable: false)))
        } else {
            failed.completion(.failure(error))
        }
    }

    private static func response(_ head: HTTPResponseHead, body: [UInt8], reusable: Bool) -> ExchangeResponse {
        ExchangeResponse(
            status: Int(head.status.code), retryAfter: head.headers.first(name: "Retry-After"), body: body,
            reusable: reusable)
    }
}

/// Passes each request's encoded bytes to the socket, below NIO's response decoder (which reads
/// the request parts on their way out to know each request's method).
final class EncodedRequestWriter: ChannelOutboundHandler {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = ByteBuffer

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .body(.byteBuffer(let bytes)): context.write(wrapOutboundOut(bytes), promise: promise)
        case .body(.fileRegion): promise?.fail(ChannelError.operationUnsupported)
        case .head, .end: promise?.succeed()
        }
    }
}
