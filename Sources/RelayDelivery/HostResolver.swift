import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Turns a host name into the addresses a new connection may go to. The transport resolves
/// every new connection's host itself, checks the answer (``EgressGuard``) and connects only to
/// the addresses it checked (``PinnedResolver``).
protocol HostResolver: Sendable {
    /// Every address `host` resolves to for TCP on `port`; throws ``ResolutionFailure`` when none.
    func addresses(of host: String, port: Int) async throws -> [SocketAddress]
}

/// A host name that did not resolve.
struct ResolutionFailure: Error, CustomStringConvertible {
    let host: String
    let reason: String
    var description: String { "cannot resolve \(host): \(reason)" }
}

/// The system's resolver (`getaddrinfo`: `/etc/hosts`, then DNS), run on NIO's blocking-I/O pool.
struct SystemResolver: HostResolver {
    func addresses(of host: String, port: Int) async throws -> [SocketAddress] {
        try await NIOThreadPool.singleton.runIfActive { try Self.lookUp(host, port: port) }
    }

    private static func lookUp(_ host: String, port: Int) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_protocol = Int32(IPPROTO_TCP)
        var list: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(host, String(port), &hints, &list)
        guard code == 0, let list else {
            throw ResolutionFailure(host: host, reason: String(cString: gai_strerror(code)))
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let info = entry?.pointee {
            entry = info.ai_next
            guard let raw = info.ai_addr else { continue }
            let address: SocketAddress
            switch info.ai_family {
            case AF_INET: address = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { .init($0.pointee) }
            case AF_INET6: address = raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { .init($0.pointee) }
            default: continue
            }
            if !addresses.contains(address) { addresses.append(address) }
        }
        guard !addresses.isEmpty else { throw ResolutionFailure(host: host, reason: "no IPv4 or IPv6 address") }
        return addresses
    }
}

/// Answers NIO's Happy Eyeballs with addresses resolved and checked beforehand, so a connection
/// can go nowhere else: no second lookup, so no DNS rebinding between the check and `connect`.
final class PinnedResolver: Resolver, Sendable {
    private let loop: any EventLoop
    private let addresses: [SocketAddress]

    init(_ addresses: [SocketAddress], on loop: any EventLoop) {
        self.loop = loop
        self.addresses = addresses
    }

    func initiateAQuery(host: String, port: Int) -> EventLoopFuture<[SocketAddress]> {
        loop.makeSucceededFuture(addresses.filter { $0.protocol == .inet })
    }

    func initiateAAAAQuery(host: String, port: Int) -> EventLoopFuture<[SocketAddress]> {
        loop.makeSucceededFuture(addresses.filter { $0.protocol == .inet6 })
    }

    func cancelQueries() {}
}
