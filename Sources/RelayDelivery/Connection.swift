import NIOCore
import NIOHTTP1

/// Which connections may carry a request: same host and port, opened under the same egress rule
/// (a connection checked for a webhook allowed onto private networks is not reused for one that
/// is not), presenting the same client certificate.
struct ConnectionKey: Hashable, Sendable {
    var host: String
    var port: Int
    /// Whether the destination's addresses were checked by ``EgressGuard``.
    var guarded: Bool
    /// The fingerprint of the client certificate the connection presented, if any.
    var clientCertificate: String? = nil
}

/// One open HTTPS connection to a destination, through TLS and ready for requests, one at a time.
final class Connection: Sendable {
    let key: ConnectionKey
    let channel: any Channel
    /// When it was ready (its TLS handshake done); it is not reused past `delivery.connectionMaxAge`.
    let openedAt: NIODeadline
    private let exchange: NIOLoopBound<ExchangeHandler>

    /// Adds TLS (SNI and hostname verification for `key.host`), the response decoder and the
    /// exchange handler to a connected `channel`, and waits for the TLS handshake. Closes the
    /// channel when that fails. `setUpTimer` (the connect time-out's close) is cancelled on the
    /// channel's loop the moment the handshake ends, so a connection ready in time is never closed
    /// by it while the waiting task has yet to resume.
    static func start(
        on channel: any Channel, key: ConnectionKey, cancelling setUpTimer: Scheduled<Void>,
        tls: @escaping @Sendable () throws -> any ChannelHandler
    ) async throws -> Connection {
        let started = channel.eventLoop.makePromise(of: Connection.self)
        channel.eventLoop.execute {
            let exchange = ExchangeHandler(ready: channel.eventLoop.makePromise())
            exchange.ready.futureResult.whenComplete { _ in setUpTimer.cancel() }
            do {
                let pipeline = channel.pipeline.syncOperations
                try pipeline.addHandler(tls())
                try pipeline.addHandler(EncodedRequestWriter())
                try pipeline.addHandler(ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)))
                try pipeline.addHandler(exchange)
                // Made once the handshake is done, so its age counts from then: a handshake a
                // stalled machine stretched does not make a new connection already too old.
                started.completeWith(
                    exchange.ready.futureResult.map {
                        Connection(
                            key: key, channel: channel, exchange: NIOLoopBound(exchange, eventLoop: channel.eventLoop))
                    })
            } catch {
                exchange.ready.fail(error)
                started.fail(error)
            }
        }
        do {
            return try await started.futureResult.get()
        } catch {
            try? await channel.close()
            throw error
        }
    }

    private init(key: ConnectionKey, channel: any Channel, exchange: NIOLoopBound<ExchangeHandler>) {
        self.key = key
        self.channel = channel
        self.exchange = exchange
        self.openedAt = .now()
    }

    /// Sends one encoded request and calls `completion` with its response, once, on the
    /// connection's event loop (see ``ExchangeHandler``). Called there, the request is written
    /// at once.
    func execute(
        _ request: ByteBuffer, deadline: NIODeadline, bodyLimit: Int,
        completion: @escaping @Sendable (Result<ExchangeResponse, any Error>) -> Void
    ) {
        guard channel.eventLoop.inEventLoop else {
            return channel.eventLoop.execute {
                self.execute(request, deadline: deadline, bodyLimit: bodyLimit, completion: completion)
            }
        }
        exchange.value.execute(request, deadline: deadline, bodyLimit: bodyLimit, completion: completion)
    }

    /// Ends the request in flight with `error` and closes the connection.
    func abort(_ error: any Error) {
        channel.eventLoop.execute { self.exchange.value.abort(error) }
    }
}
