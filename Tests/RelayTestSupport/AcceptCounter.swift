import NIOCore
import NIOPosix
import Synchronization

/// A TCP listener that only counts the connections it accepts (and closes them): the witness
/// that nothing reached an address — a SYN to a listening socket is a connection accepted.
public final class AcceptCounter: Sendable {
    /// The port it listens on.
    public let port: Int
    private let tally: Tally

    private init(port: Int, tally: Tally) {
        self.port = port
        self.tally = tally
    }

    /// Connections accepted so far.
    public var accepted: Int { tally.count.withLock { $0 } }

    /// Runs a counter on `host` (`127.0.0.1` or `::1`) for the duration of `body`.
    public static func with<T: Sendable>(
        host: String = "127.0.0.1", _ body: (AcceptCounter) async throws -> T
    ) async throws -> T {
        let tally = Tally()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                tally.count.withLock { $0 += 1 }
                return channel.close()
            }
            .bind(host: host, port: 0).get()
        let counter = AcceptCounter(port: server.localAddress?.port ?? 0, tally: tally)
        return try await closing(server) { try await body(counter) }
    }
}

private final class Tally: Sendable {
    let count = Mutex(0)
}
