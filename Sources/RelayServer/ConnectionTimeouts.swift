import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes
import RelayCore

/// The server's HTTP/1.1 child channel with ``ConnectionDeadline`` enforced: Hummingbird's
/// `HTTP1Channel`, plus a handler in front of everything (TLS included) that sees bytes arrive and
/// one after the HTTP codec that sees request heads and response ends. A connection past its
/// deadline is closed.
struct DeadlineHTTP1Channel: HTTPChannelHandler {
    let base: HTTP1Channel
    let headerTimeout: RelayDuration
    let idleTimeout: RelayDuration

    var responder: Responder { base.responder }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        let watch = ConnectionWatch(
            deadline: ConnectionDeadline(
                headerTimeout: headerTimeout.milliseconds, idleTimeout: idleTimeout.milliseconds,
                now: WallClock.nowMillis()),
            channel: channel)
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ConnectionBytesHandler(watch: watch), position: .first)
            watch.arm()
        }.flatMap { base.setup(channel: channel, logger: logger) }
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 whose connections are closed when a request head is late or the connection idles
    /// (``ConnectionDeadline``); Hummingbird's own idle time-out is left off.
    static func http1(headerTimeout: RelayDuration, idleTimeout: RelayDuration) -> HTTPServerBuilder {
        .init { responder in
            DeadlineHTTP1Channel(
                base: HTTP1Channel(
                    responder: responder,
                    configuration: .init(additionalChannelHandlers: [RequestPartsHandler()])),
                headerTimeout: headerTimeout, idleTimeout: idleTimeout)
        }
    }
}

/// One connection's deadline and the timer that enforces it; used only on the channel's event loop.
final class ConnectionWatch: @unchecked Sendable {
    private var deadline: ConnectionDeadline
    private let channel: any Channel
    private var timer: Scheduled<Void>?

    init(deadline: ConnectionDeadline, channel: any Channel) {
        self.deadline = deadline
        self.channel = channel
    }

    func bytesArrived() { change { $0.bytesArrived(now: WallClock.nowMillis()) } }
    func headArrived() { change { $0.headArrived() } }
    func responseFinished() { change { $0.responseFinished(now: WallClock.nowMillis()) } }

    private func change(_ body: (inout ConnectionDeadline) -> Void) {
        let before = deadline.closesAt
        body(&deadline)
        if deadline.closesAt != before { arm() }
    }

    /// Schedules the close for the current deadline (replacing an earlier timer).
    func arm() {
        channel.eventLoop.preconditionInEventLoop()
        timer?.cancel()
        timer = nil
        guard let closesAt = deadline.closesAt else { return }
        let delay = TimeAmount.milliseconds(max(0, closesAt - WallClock.nowMillis()))
        timer = channel.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            timer = nil
            if deadline.isExpired(now: WallClock.nowMillis()) {
                channel.close(promise: nil)
            } else {
                arm()
            }
        }
    }

    /// The channel is gone: nothing more to close.
    func cancel() {
        timer?.cancel()
        timer = nil
    }
}

/// First in the pipeline: every read counts as bytes arriving (a TLS handshake included).
final class ConnectionBytesHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    private let watch: ConnectionWatch

    init(watch: ConnectionWatch) {
        self.watch = watch
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        watch.bytesArrived()
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        watch.cancel()
        context.fireChannelInactive()
    }
}

/// After the HTTP codec: request heads and response ends.
final class RequestPartsHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart
    private var watch: ConnectionWatch?

    func handlerAdded(context: ChannelHandlerContext) {
        watch = try? context.pipeline.syncOperations.handler(type: ConnectionBytesHandler.self).watchForParts
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { watch?.headArrived() }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let isEnd = if case .end = unwrapOutboundIn(data) { true } else { false }
        context.write(data, promise: promise)
        if isEnd { watch?.responseFinished() }
    }
}

extension ConnectionBytesHandler {
    /// The watch the parts handler reports to.
    fileprivate var watchForParts: ConnectionWatch { watch }
}
