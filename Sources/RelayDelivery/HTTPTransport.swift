import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import RelayCore

/// Sends attempts over one shared `HTTPClient`: keep-alive HTTP/1.1, redirects never followed,
/// extra trusted roots, and connect and whole-request time-outs.
///
/// ```swift
/// let transport = try HTTPTransport(configuration: .init(trustedCAFile: "ca.pem"))
/// let reply = await transport.send(request)
/// ```
public final class HTTPTransport: Sendable {
    /// How the transport connects.
    public struct Configuration: Sendable {
        public var connectTimeout: RelayDuration
        /// The deadline for one whole request, response body included.
        public var timeout: RelayDuration
        /// Extra PEM roots trusted on top of the system's.
        public var trustedCAFile: String?
        /// The egress guard: refuse connections whose peer is not a public address (SPEC §5.3).
        public var refuseNonPublicAddresses: Bool
        /// Keep-alive connections kept per host (at least the requests one webhook has in flight).
        public var connectionsPerHost: Int

        public init(
            connectTimeout: RelayDuration = .seconds(5), timeout: RelayDuration = .seconds(15),
            trustedCAFile: String? = nil, refuseNonPublicAddresses: Bool = true, connectionsPerHost: Int = 8
        ) {
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.trustedCAFile = trustedCAFile
            self.refuseNonPublicAddresses = refuseNonPublicAddresses
            self.connectionsPerHost = connectionsPerHost
        }
    }

    /// What came back from one send.
    public struct Reply: Sendable {
        public var response: AttemptResponse
        /// `true` when the send was cut off by cancellation (shutdown): no outcome to record.
        public var cancelled: Bool
    }

    private let client: HTTPClient
    private let timeout: TimeAmount

    public init(configuration: Configuration) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let file = configuration.trustedCAFile {
            tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(file))]
        }
        var clientConfiguration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(configuration.connectTimeout.milliseconds)))
        // Without this, a refused or failed connection is retried until the request deadline and
        // a rejected channel can leak (DESIGN.md pitfalls).
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = configuration.connectionsPerHost
        // HTTP/1.1 only: receivers often answer before reading the whole body (a 401, a 413, nginx's
        // `return`), and over HTTP/2 that race left AsyncHTTPClient requests hanging until the
        // deadline (docs/PERFORMANCE.md); keep-alive HTTP/1.1 connections deliver as fast here.
        clientConfiguration.httpVersion = .http1Only
        // Each request leaves in one write, as one TLS record up to 16 KiB (RequestCoalescing), after the guard.
        if configuration.refuseNonPublicAddresses {
            clientConfiguration.http1_1ConnectionDebugInitializer = { channel in
                EgressGuard.check(channel).flatMap { RequestCoalescing.install(on: channel) }
            }
            clientConfiguration.http2ConnectionDebugInitializer = EgressGuard.check
        } else {
            clientConfiguration.http1_1ConnectionDebugInitializer = RequestCoalescing.install
        }
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        self.timeout = .milliseconds(configuration.timeout.milliseconds)
    }

    /// Sends `request` and reads the status, `Retry-After` and the first KiB of the body; every
    /// failure becomes a ``RelayCore/TransportFailure`` rather than an error.
    public func send(_ request: OutboundRequest, bodyLimit: Int = 1024) async -> Reply {
        var outbound = HTTPClientRequest(url: request.url)
        outbound.method = .POST
        for header in request.headers { outbound.headers.add(name: header.name, value: header.value) }
        outbound.body = .bytes(ByteBuffer(bytes: request.body))
        do {
            let response = try await client.execute(outbound, deadline: .now() + timeout)
            var body: [UInt8] = []
            for try await chunk in response.body where body.count < bodyLimit {
                body.append(contentsOf: chunk.readableBytesView.prefix(bodyLimit - body.count))
            }
            return Reply(
                response: .http(
                    status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"),
                    body: body),
                cancelled: false)
        } catch {
            if Task.isCancelled || error is CancellationError || (error as? HTTPClientError) == .cancelled {
                return Reply(response: .transportFailure(TransportFailure(.other, "cancelled")), cancelled: true)
            }
            return Reply(response: .transportFailure(Self.failure(for: error)), cancelled: false)
        }
    }

    /// Closes every connection.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    static func failure(for error: any Error) -> TransportFailure {
        if let refusal = error as? EgressGuard.Refusal {
            return TransportFailure(.nonPublicAddress, "\(NetworkAddressPolicy.refusalReason) (\(refusal.address))")
        }
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return TransportFailure(.timeout, "the request timed out")
            case .connectTimeout: return TransportFailure(.timeout, "connecting timed out")
            case .tlsHandshakeTimeout: return TransportFailure(.tls, "the TLS handshake timed out")
            case .remoteConnectionClosed: return TransportFailure(.connect, "the destination closed the connection")
            default: return TransportFailure(.other, "request failed: \(clientError)")
            }
        }
        if error is NIOSSLError || error is BoringSSLError {
            return TransportFailure(.tls, "TLS failed: \(error)")
        }
        if let connectionError = error as? NIOConnectionError {
            let causes = connectionError.connectionErrors.map { "\($0.error)" }
            return TransportFailure(.connect, "connection failed: \(causes.first ?? "\(connectionError)")")
        }
        if error is IOError || error is ChannelError {
            return TransportFailure(.connect, "connection failed: \(error)")
        }
        return TransportFailure(.other, "request failed: \(String(describing: error).prefix(300))")
    }
}
