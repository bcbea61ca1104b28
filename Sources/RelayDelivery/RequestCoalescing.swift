import NIOCore
import NIOHTTP1

/// Makes every delivery request leave in one socket write, and as one TLS record when it fits
/// in one (16 KiB).
///
/// AsyncHTTPClient flushes a request's head, its body and its end one by one: two TLS records and
/// two `write` calls per request, which was a large part of a delivery's cost with one event per
/// request (docs/PERFORMANCE.md). Two handlers, added to each new HTTP/1.1 connection, put that
/// together again:
/// - ``FlushAtRequestEnd``, above the HTTP encoder, lets only the flush after a request's end
///   through;
/// - ``JoinedWrites``, below it, joins what was written before that flush into one buffer.
///
/// Holding flushes back is right here because every delivery body is complete bytes when the
/// request starts: nothing waits for the head to leave before the body is written. A request
/// without a `Content-Length` (a streamed body) is left alone.
enum RequestCoalescing {
    /// Adds both handlers around the connection's `HTTPRequestEncoder`; AsyncHTTPClient runs this
    /// as its connection initializer, after its own handlers are in place. If they cannot be
    /// added, the connection is closed and fails (an initializer must close what it rejects, or
    /// the socket leaks: DESIGN.md).
    @Sendable static func install(on channel: any Channel) -> EventLoopFuture<Void> {
        channel.eventLoop.submit {
            let pipeline = channel.pipeline.syncOperations
            let encoder = try pipeline.handler(type: HTTPRequestEncoder.self)
            try pipeline.addHandler(FlushAtRequestEnd(), position: .after(encoder))
            try pipeline.addHandler(JoinedWrites(), position: .before(encoder))
        }.flatMapErrorThrowing { error in
            channel.close(promise: nil)
            throw error
        }
    }
}

/// Passes a flush on only when no request with a known length is half written.
final class FlushAtRequestEnd: ChannelOutboundHandler {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    private var holding = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head): holding = head.headers.contains(name: "Content-Length")
        case .body: break
        case .end: holding = false
        }
        context.write(data, promise: promise)
    }

    func flush(context: ChannelHandlerContext) {
        if !holding { context.flush() }
    }
}

/// Joins the buffers written between two flushes into one, so TLS seals them as one record.
/// Buffers are joined only up to the 16 KiB a record holds: bigger ones take several records
/// anyway, and copying them would cost more than it saves.
final class JoinedWrites: ChannelOutboundHandler {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    static let recordCapacity = 16 * 1024

    private var joined: ByteBuffer?
    private var promises: [EventLoopPromise<Void>] = []

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .byteBuffer(var buffer) = unwrapOutboundIn(data) else {
            writeJoined(context: context)
            context.write(data, promise: promise)
            return
        }
        if let held = joined?.readableBytes, held + buffer.readableBytes > Self.recordCapacity {
            writeJoined(context: context)
        }
        if let promise { promises.append(promise) }
        if joined == nil || joined!.readableBytes == 0 {
            joined = buffer
        } else if buffer.readableBytes > 0 {
            joined!.writeBuffer(&buffer)
        }
    }

    func flush(context: ChannelHandlerContext) {
        writeJoined(context: context)
        context.flush()
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        writeJoined(context: context)  // the channel below fails what was written but never flushed
        context.close(mode: mode, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        joined = nil
        let held = promises
        promises = []
        held.forEach { $0.fail(ChannelError.ioOnClosedChannel) }
    }

    private func writeJoined(context: ChannelHandlerContext) {
        guard let buffer = joined else { return }
        joined = nil
        let held = promises
        promises = []
        var promise: EventLoopPromise<Void>? = held.first
        if held.count > 1 {
            let all = context.eventLoop.makePromise(of: Void.self)
            all.futureResult.whenComplete { result in held.forEach { $0.completeWith(result) } }
            promise = all
        }
        context.write(wrapOutboundOut(.byteBuffer(buffer)), promise: promise)
    }
}
