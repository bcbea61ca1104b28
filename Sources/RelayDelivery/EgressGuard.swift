import NIOCore
import RelayCore

#if canImport(Glibc)
    import Glibc
#endif

/// Checks the address a new connection is really connected to, before any request is written
/// on it: a peer that is not public (SPEC §5.3) gets its channel closed and the connection fails
/// with ``Refusal``. Because the check sees the connected socket, DNS rebinding cannot slip past it.
enum EgressGuard {
    /// The connection's peer is not a public address.
    struct Refusal: Error, CustomStringConvertible {
        let address: String
        var description: String { "\(NetworkAddressPolicy.refusalReason) (\(address))" }
    }

    /// The connection initializer AsyncHTTPClient runs on every new HTTP/1.1 and HTTP/2 connection.
    @Sendable static func check(_ channel: any Channel) -> EventLoopFuture<Void> {
        guard let peer = channel.remoteAddress, let bytes = addressBytes(peer), NetworkAddressPolicy.isPublic(bytes)
        else {
            channel.close(promise: nil)
            let address = channel.remoteAddress?.ipAddress ?? "unknown"
            return channel.eventLoop.makeFailedFuture(Refusal(address: address))
        }
        return channel.eventLoop.makeSucceededVoidFuture()
    }

    /// The peer's IP address bytes in network order.
    static func addressBytes(_ address: SocketAddress) -> [UInt8]? {
        guard let text = address.ipAddress else { return nil }
        let family: Int32
        var bytes: [UInt8]
        switch address.protocol {
        case .inet:
            family = AF_INET
            bytes = [UInt8](repeating: 0, count: 4)
        case .inet6:
            family = AF_INET6
            bytes = [UInt8](repeating: 0, count: 16)
        default:
            return nil
        }
        let parsed = bytes.withUnsafeMutableBytes { inet_pton(family, text, $0.baseAddress) }
        return parsed == 1 ? bytes : nil
    }
}
