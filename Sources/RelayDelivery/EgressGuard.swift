import NIOCore
import RelayCore

#if canImport(Glibc)
    import Glibc
#endif

/// Checks a destination's resolved addresses before anything is sent to them (SPEC §5.3): when
/// any is not public, the connection is refused whole, so no packet — not a SYN, not a TLS
/// hello — goes to a refused address, and an attempt cannot tell an open port from a closed one.
enum EgressGuard {
    /// The destination resolves to an address that is not public.
    struct Refusal: Error, CustomStringConvertible {
        let address: String
        var description: String { "\(NetworkAddressPolicy.refusalReason) (\(address))" }
    }

    /// Throws ``Refusal`` naming the first address of `addresses` that is not public.
    static func check(_ addresses: [SocketAddress]) throws {
        let bytes = addresses.map { addressBytes($0) ?? [] }
        if let refused = NetworkAddressPolicy.firstNonPublic(bytes), let index = bytes.firstIndex(of: refused) {
            throw Refusal(address: addresses[index].ipAddress ?? "unknown")
        }
    }

    /// The address's IP bytes in network order.
    private static func addressBytes(_ address: SocketAddress) -> [UInt8]? {
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
