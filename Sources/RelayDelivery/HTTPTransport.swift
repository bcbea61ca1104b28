import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import RelayCore
import Synchronization

/// The relay's HTTPS client for deliveries, on SwiftNIO: HTTP/1.1 with keep-alive connections
/// the lanes share, each request in one write, redirects never followed, extra trusted roots,
/// connect and whole-request time-outs, the egress guard before every `connect` and an optional
/// HTTP proxy (docs/architecture.md, "Outbound requests").
///
/// ```swift
/// let transport = try HTTPTransport(configuration: .init(trustedCAFile: "ca.pem"))
/// let reply = await transport.send(request)
/// ```
public final class HTTPTransport: Sendable {
    /// How the transport connects.
    public struct Configuration: Sendable {
        public var connectTimeout: RelayDuration
        /// The deadline for one whole request: connecting, sending, and the response head.
        public var timeout: RelayDuration
        /// Extra PEM roots trusted on top of the system's.
        public var trustedCAFile: String?
        /// Whether every destination may resolve to non-public addresses (SPEC §5.3); a request
        /// can also allow it for itself.
        public var allowPrivateNetworks: Bool
        /// The HTTP proxy to tunnel through, if any.
        public var proxy: ProxySettings?
        /// How long a connection is reused; the next one resolves the host again.
        public var connectionMaxAge: RelayDuration
        /// Idle connections kept per destination (at least the requests one webhook has in flight).
        public var connectionsPerHost: Int

        public init(
            connectTimeout: RelayDuration = .seconds(5), timeout: RelayDuration = .seconds(15),
            trustedCAFile: String? = nil, allowPrivateNetworks: Bool = false, proxy: ProxySettings? = nil,
            connectionMaxAge: RelayDuration = .seconds(300), connectionsPerHost: Int = 8
        ) {
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.trustedCAFile = trustedCAFile
            self.allowPrivateNetworks = allowPrivateNetworks
            self.proxy = proxy
            self.connectionMaxAge = connectionMaxAge
            self.connectionsPerHost = connectionsPerHost
        }

        /// The transport settings of the configuration's `delivery:` section.
        public init(_ delivery: RelayConfiguration.Delivery) {
            self.init(
                connectTimeout: delivery.connectTimeout, timeout: delivery.timeout,
                trustedCAFile: delivery.trustedCAFile, allowPrivateNetworks: delivery.allowPrivateNetworks,
                proxy: delivery.proxy.settings, connectionMaxAge: delivery.connectionMaxAge,
                connectionsPerHost: max(8, 2 * delivery.concurrencyPerWebhook))
        }
    }

    /// What came back from one send.
    public struct Reply: Sendable {
        public var response: AttemptResponse
        /// `true` when the send was cut off by cancellation (shutdown): no outcome to record.
        public var cancelled: Bool

        /// A send that failed with `failure`.
        static func failed(_ failure: TransportFailure) -> Reply {
            Reply(response: .transportFailure(failure), cancelled: false)
        }
    }

    /// How long an unused connection is kept open.
    static let idleTimeout = TimeAmount.seconds(60)

    private let configuration: Configuration
    private let connector: Connector
    let pool: ConnectionPool
    private let destinations = Destinations()

    /// A transport for `configuration`; throws when the trusted roots cannot be read.
    public convenience init(configuration: Configuration) throws {
        try self.init(configuration: configuration, resolver: SystemResolver())
    }

    /// A transport that resolves host names with `resolver` (tests give names fixed answers).
    init(configuration: Configuration, resolver: any HostResolver) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let file = configuration.trustedCAFile {
            tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(file))]
        }
        let loops = MultiThreadedEventLoopGroup.singleton
        self.configuration = configuration
        self.connector = Connector(
            loops: loops, resolver: resolver, tls: try TLSContexts(configuration: tls),
            connectTimeout: .milliseconds(configuration.connectTimeout.milliseconds), proxy: configuration.proxy)
        self.pool = ConnectionPool(
            maxAge: .milliseconds(configuration.connectionMaxAge.milliseconds), idleTimeout: Self.idleTimeout,
            maxIdlePerKey: configuration.connectionsPerHost, sweepingOn: loops.next())
    }

    /// Runs `body` (a lane) on one of the transport's event loops, each call the next one, and
    /// opens the connections it makes on that loop: an answer read there resumes the lane
    /// without a hand-over between threads (measured: 16 % less CPU per delivered event than
    /// running lanes on Swift's cooperative pool).
    func onOwnEventLoop(_ body: () async -> Void) async {
        let loop = connector.loops.next()
        await withTaskExecutorPreference(EventLoopExecutor(loop)) {
            await Connector.$preferredLoop.withValue(loop) { await body() }
        }
    }

    /// Sends `request` and reads the status, `Retry-After` and the first `bodyLimit` bytes of the
    /// body; every failure becomes a ``RelayCore/TransportFailure`` rather than an error.
    ///
    /// The URL rules are checked again first. A new connection goes only to addresses that passed
    /// the egress guard, unless `allowPrivateNetwork` (or the configuration) lifts it, and presents
    /// `clientCertificate` when the destination asks for one. A kept-alive connection found closed
    /// before the request was written is replaced without a failure.
    public func send(
        _ request: OutboundRequest, allowPrivateNetwork: Bool = false, clientCertificate: ClientCertificate? = nil,
        bodyLimit: Int = 1024
    ) async -> Reply {
        await SendCancellation.awaiting { cancellation, completion in
            start(
                request, allowPrivateNetwork: allowPrivateNetwork, clientCertificate: clientCertificate,
                bodyLimit: bodyLimit, on: Connector.preferredLoop, cancellation: cancellation, completion: completion)
        }
    }

    /// Sends like ``send(_:allowPrivateNetwork:clientCertificate:bodyLimit:)`` and calls
    /// `completion` once with the reply, without a task: on a connection of `loop` (any loop when
    /// `nil`) when the request got that far, else where it failed. A lane sends this way, so an
    /// answer goes from the socket to the lane without a task, continuation or future per request
    /// (docs/PERFORMANCE.md, session 13).
    func start(
        _ request: OutboundRequest, allowPrivateNetwork: Bool, clientCertificate: ClientCertificate?, bodyLimit: Int,
        on loop: (any EventLoop)?, cancellation: SendCancellation, completion: @escaping @Sendable (Reply) -> Void
    ) {
        let destination: DestinationURL
        switch destinations.parse(request.url) {
        case .success(let parsed): destination = parsed
        case .failure(let refusal):
            return completion(
                .failed(TransportFailure(.refusedDestination, "the destination URL is refused: \(refusal.rawValue)")))
        }
        let deadline = NIODeadline.now() + .milliseconds(configuration.timeout.milliseconds)
        let bytes: ByteBuffer
        do {
            bytes = try RequestEncoding.encode(request, to: destination, allocator: ByteBufferAllocator())
        } catch {
            return completion(.failed(Self.failure(for: error, host: destination.host)))
        }
        let key = ConnectionKey(
            host: destination.host, port: destination.port,
            guarded: !(allowPrivateNetwork || configuration.allowPrivateNetworks),
            clientCertificate: clientCertificate?.fingerprint)
        let exchange = Exchange(
            bytes: bytes, destination: destination, key: key, clientCertificate: clientCertificate, deadline: deadline,
            bodyLimit: bodyLimit, loop: loop, cancellation: cancellation)
        self.exchange(exchange) { result in
            switch result {
            case .success(let response):
                let answer = AttemptResponse.http(
                    status: response.status, retryAfter: response.retryAfter, body: response.body)
                completion(Reply(response: answer, cancelled: false))
            case .failure(let error):
                if cancellation.isCancelled || error as? ExchangeError == .cancelled {
                    return completion(
                        Reply(response: .transportFailure(TransportFailure(.other, "cancelled")), cancelled: true))
                }
                // Past the deadline, whatever ended the request (its connection closed by the connect
                // time-out just as the handshake finished, say) is the deadline's doing.
                let cause = NIODeadline.now() >= deadline ? ExchangeError.timedOut : error
                completion(.failed(Self.failure(for: cause, host: destination.host)))
            }
        }
    }

    /// Closes every connection.
    public func shutdown() async throws {
        pool.close()
    }

    /// One encoded request on its way, and where it may go.
    private struct Exchange: Sendable {
        var bytes: ByteBuffer
        var destination: DestinationURL
        var key: ConnectionKey
        var clientCertificate: ClientCertificate?
        var deadline: NIODeadline
        var bodyLimit: Int
        var loop: (any EventLoop)?
        var cancellation: SendCancellation
    }

    /// Sends the request on a kept-alive connection of its loop, or on a new one.
    private func exchange(
        _ exchange: Exchange, completion: @escaping @Sendable (Result<ExchangeResponse, any Error>) -> Void
    ) {
        if let kept = pool.take(exchange.key, on: exchange.loop) {
            return run(exchange, on: kept, kept: true, completion: completion)
        }
        Task {
            do {
                let connection = try await connector.open(
                    exchange.destination, key: exchange.key, clientCertificate: exchange.clientCertificate,
                    deadline: exchange.deadline, on: exchange.loop)
                run(exchange, on: connection, kept: false, completion: completion)
            } catch {
                completion(.failure(error))
            }
        }
    }

    /// Sends the request on `connection` and puts the connection back when it can carry another.
    private func run(
        _ exchange: Exchange, on connection: Connection, kept: Bool,
        completion: @escaping @Sendable (Result<ExchangeResponse, any Error>) -> Void
    ) {
        guard exchange.cancellation.begin(connection) else {
            pool.putBack(connection)
            return completion(.failure(ExchangeError.cancelled))
        }
        connection.execute(exchange.bytes, deadline: exchange.deadline, bodyLimit: exchange.bodyLimit) { result in
            exchange.cancellation.end(connection)
            switch result {
            case .success(let response):
                if response.reusable { self.pool.putBack(connection) }
            case .failure(ExchangeError.notWritten) where kept:
                // The destination closed it while it was idle; nothing was sent.
                return self.exchange(exchange, completion: completion)
            case .failure:
                break
            }
            completion(result)
        }
    }

    /// The failure recorded for an error of a send to `host`, in words without secrets.
    static func failure(for error: any Error, host: String) -> TransportFailure {
        switch error {
        case let refusal as EgressGuard.Refusal:
            return TransportFailure(.nonPublicAddress, refusal.description)
        case let resolution as ResolutionFailure:
            return TransportFailure(.connect, resolution.description)
        case let refusal as ProxyTunnelHandler.Refusal:
            return TransportFailure(.connect, refusal.description)
        case let header as RequestEncoding.UnsafeHeader:
            return TransportFailure(.other, header.description)
        case ExchangeError.timedOut:
            return TransportFailure(.timeout, "the request timed out")
        case ExchangeError.closedBeforeResponse, ExchangeError.notWritten, NIOSSLError.uncleanShutdown:
            return TransportFailure(.connect, "the destination closed the connection before answering")
        case ChannelError.connectTimeout:
            return TransportFailure(.timeout, "connecting timed out")
        case let connection as NIOConnectionError:
            if connection.connectionErrors.contains(where: {
                if case .connectTimeout = $0.error as? ChannelError { true } else { false }
            }) {
                return TransportFailure(.timeout, "connecting timed out")
            }
            let cause = connection.connectionErrors.first.map { "\($0.error)" } ?? "no address to connect to"
            return TransportFailure(.connect, "connection to \(host) failed: \(cause)")
        case is NIOSSLError, is BoringSSLError:
            return TransportFailure(.tls, "TLS failed: \(error)")
        case is HTTPParserError:
            return TransportFailure(.other, "the response is not valid HTTP/1.1: \(error)")
        case is IOError, is ChannelError:
            return TransportFailure(.connect, "connection to \(host) failed: \(error)")
        default:
            return TransportFailure(.other, "request failed: \(String(describing: error).prefix(300))")
        }
    }
}

/// Destination URLs read once: a lane sends to the same few URLs again and again, and the URL
/// rules are pure, so a URL once judged needs no second look.
private final class Destinations: Sendable {
    private let parsed = Mutex<[String: Result<DestinationURL, DestinationURL.Refusal>]>([:])
    /// More distinct URLs than this and the memory starts afresh (webhooks are few).
    private static let capacity = 4096

    func parse(_ url: String) -> Result<DestinationURL, DestinationURL.Refusal> {
        if let known = parsed.withLock({ $0[url] }) { return known }
        let verdict = Result { () throws(DestinationURL.Refusal) in try DestinationURL(validating: url) }
        parsed.withLock { parsed in
            if parsed.count >= Self.capacity { parsed.removeAll() }
            parsed[url] = verdict
        }
        return verdict
    }
}
