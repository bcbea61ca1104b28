import NIOCore
import RelayCore

/// Opens a tunnel to a destination through an HTTP proxy: `CONNECT host:port HTTP/1.1` (with
/// `Proxy-Authorization` when the proxy URL has credentials), then a `2xx` from the proxy. The
/// handler removes itself once the tunnel is up; TLS to the destination starts after it.
final class ProxyTunnelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The proxy did not open the tunnel. Never carries the proxy's credentials.
    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    /// The longest proxy answer read before giving up on it.
    private static let maximumHeadBytes = 16 * 1024

    private let request: String
    private let opened: EventLoopPromise<Void>
    private var received: ByteBuffer?
    private var sent = false

    init(to destination: DestinationURL, authorization: String?, opened: EventLoopPromise<Void>) {
        let target = "\(destination.host):\(destination.port)"
        var request = "CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\n"
        if let authorization { request += "Proxy-Authorization: \(authorization)\r\n" }
        self.request = request + "\r\n"
        self.opened = opened
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { sendRequest(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        opened.fail(Refusal(description: "the proxy connection closed before the tunnel opened"))
    }

    func channelActive(context: ChannelHandlerContext) {
        sendRequest(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if received == nil {
            received = buffer
        } else {
            received!.writeBuffer(&buffer)
        }
        guard let bytes = received?.readableBytesView, let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else {
            if (received?.readableBytes ?? 0) > Self.maximumHeadBytes {
                refuse("the proxy's answer to CONNECT is too long", context: context)
            }
            return
        }
        let lineEnd = bytes.firstRange(of: Array("\r\n".utf8))?.lowerBound ?? end.lowerBound
        let statusLine = String(decoding: bytes[..<lineEnd], as: UTF8.self)
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            return refuse("the proxy's answer to CONNECT is not HTTP", context: context)
        }
        guard (200..<300).contains(status) else {
            return refuse("the proxy refused the tunnel: HTTP \(status)", context: context)
        }
        guard end.upperBound == bytes.endIndex else {
            return refuse("the proxy sent data before the tunnel opened", context: context)
        }
        opened.succeed()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        opened.fail(Refusal(description: "the proxy closed the connection before the tunnel opened"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        opened.fail(error)
        context.close(promise: nil)
    }

    private func sendRequest(context: ChannelHandlerContext) {
        guard !sent else { return }
        sent = true
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: request)), promise: nil)
    }

    private func refuse(_ reason: String, context: ChannelHandlerContext) {
        opened.fail(Refusal(description: reason))
        context.close(promise: nil)
    }
}

extension ProxyTunnelHandler {
    /// Opens the tunnel on `channel`, connected to the proxy, and returns once it is up.
    static func open(on channel: any Channel, to destination: DestinationURL, authorization: String?) async throws {
        let opened = channel.eventLoop.makePromise(of: Void.self)
        channel.eventLoop.execute {
            do {
                try channel.pipeline.syncOperations.addHandler(
                    ProxyTunnelHandler(to: destination, authorization: authorization, opened: opened))
            } catch {
                opened.fail(error)
            }
        }
        try await opened.futureResult.get()
    }
}
