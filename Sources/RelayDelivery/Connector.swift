import NIOCore
import NIOPosix
import NIOSSL
import RelayCore
import Synchronization

/// Opens connections to destinations: resolves the host, checks every address it resolved to
/// (``EgressGuard``) before anything is sent, connects only to those addresses — directly, or to
/// the proxy with a `CONNECT` tunnel — and starts TLS with SNI and hostname verification.
struct Connector: Sendable {
    let loops: any EventLoopGroup
    let resolver: any HostResolver
    let tls: TLSContexts
    let connectTimeout: TimeAmount
    let proxy: ProxySettings?

    /// The event loop a lane runs on (``HTTPTransport/onOwnEventLoop(_:)``): the connections it
    /// opens go there rather than to the next loop of ``loops``.
    @TaskLocal static var preferredLoop: (any EventLoop)?

    /// A connection to `destination`, presenting `clientCertificate` if given, ready for requests,
    /// on `loop` (the next of ``loops`` when `nil`). Connecting, the tunnel and the TLS handshake
    /// together take at most the connect time-out (and end by `deadline`).
    func open(
        _ destination: DestinationURL, key: ConnectionKey, clientCertificate: ClientCertificate?, deadline: NIODeadline,
        on loop: (any EventLoop)?
    ) async throws -> Connection {
        let loop = loop ?? loops.next()
        let context = try tls.context(presenting: clientCertificate)
        let proxy = self.proxy.flatMap { $0.applies(to: destination.host) ? $0 : nil }
        var addresses: [SocketAddress] = []
        // Through a proxy, the destination is still resolved and checked here (SPEC §5.3); a
        // webhook allowed onto private networks leaves the name to the proxy.
        if key.guarded || proxy == nil {
            addresses = try await resolver.addresses(of: destination.host, port: destination.port)
            if key.guarded { try EgressGuard.check(addresses) }
        }
        let limit = min(deadline, .now() + connectTimeout)
        let channel: any Channel
        if let proxy {
            let proxyAddresses = try await resolver.addresses(of: proxy.host, port: proxy.port)
            channel = try await connect(
                to: proxy.host, port: proxy.port, addresses: proxyAddresses, by: limit, on: loop)
        } else {
            channel = try await connect(
                to: destination.host, port: destination.port, addresses: addresses, by: limit, on: loop)
        }
        let expired = Mutex(false)
        let timer = channel.eventLoop.scheduleTask(deadline: limit) {
            expired.withLock { $0 = true }
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do {
            if let proxy {
                try await ProxyTunnelHandler.open(on: channel, to: destination, authorization: proxy.authorization)
            }
            return try await Connection.start(on: channel, key: key, cancelling: timer) {
                try NIOSSLClientHandler(context: context, serverHostname: destination.host)
            }
        } catch {
            channel.close(promise: nil)
            // Only a close made by the timer is a time-out: a refusal that came in time stays the
            // reason even when this task resumes after the limit on a busy machine.
            guard expired.withLock({ $0 }) else { throw error }
            if limit == deadline { throw ExchangeError.timedOut }
            throw ChannelError.connectTimeout(connectTimeout)
        }
    }

    /// A TCP connection to one of `addresses` (Happy Eyeballs among them, nothing else), on `loop`.
    private func connect(
        to host: String, port: Int, addresses: [SocketAddress], by limit: NIODeadline, on loop: any EventLoop
    ) async throws -> any Channel {
        try await ClientBootstrap(group: loop)
            .connectTimeout(max(limit - .now(), .milliseconds(1)))
            .resolver(PinnedResolver(addresses, on: loop))
            .connect(host: host, port: port)
            .get()
    }
}
