/// Decides whether an IP address the relay is about to connect to is public (SPEC §5.3).
///
/// Non-public: loopback, private (RFC 1918), shared address space (100.64/10), link-local
/// (169.254/16 — cloud metadata — and fe80::/10), unique-local (fc00::/7), multicast,
/// unspecified, documentation, benchmarking and reserved ranges, and IPv6 forms that embed a
/// non-public IPv4 address (IPv4-mapped, NAT64 64:ff9b::/96, 6to4 2002::/16). The deprecated
/// IPv4-compatible ::/96 is refused outright, like the rest of ::/8; so is Teredo (2001::/32),
/// whose embedded address is obfuscated.
///
/// ```swift
/// NetworkAddressPolicy.isPublic([169, 254, 169, 254])  // false
/// NetworkAddressPolicy.isPublic([93, 184, 215, 14])    // true
/// ```
public enum NetworkAddressPolicy {
    /// The words of every refusal by the egress guard.
    public static let refusalReason = "destination resolves to a non-public address"

    /// The first of a host's resolved addresses that is not public, or `nil` when all are.
    /// A host with any non-public address is refused whole, so no answer of a name that mixes
    /// public and private addresses is ever connected to.
    public static func firstNonPublic(_ addresses: [[UInt8]]) -> [UInt8]? {
        addresses.first { !isPublic($0) }
    }

    /// Whether `bytes` (4 for IPv4, 16 for IPv6, network order) is a public unicast address.
    public static func isPublic(_ bytes: [UInt8]) -> Bool {
        switch bytes.count {
        case 4: return isPublicIPv4(bytes)
        case 16: return isPublicIPv6(bytes)
        default: return false
        }
    }

    private static let ipv4Blocked: [(prefix: [UInt8], bits: Int)] = [
        ([0, 0, 0, 0], 8),  // "this network", unspecified
        ([10, 0, 0, 0], 8),  // private
        ([100, 64, 0, 0], 10),  // shared address space (CGNAT)
        ([127, 0, 0, 0], 8),  // loopback
        ([169, 254, 0, 0], 16),  // link-local, cloud metadata
        ([172, 16, 0, 0], 12),  // private
        ([192, 0, 0, 0], 24),  // IETF protocol assignments
        ([192, 0, 2, 0], 24),  // documentation
        ([192, 88, 99, 0], 24),  // 6to4 relay anycast
        ([192, 168, 0, 0], 16),  // private
        ([198, 18, 0, 0], 15),  // benchmarking
        ([198, 51, 100, 0], 24),  // documentation
        ([203, 0, 113, 0], 24),  // documentation
        ([224, 0, 0, 0], 4),  // multicast
        ([240, 0, 0, 0], 4),  // reserved, broadcast
    ]

    private static func isPublicIPv4(_ bytes: [UInt8]) -> Bool {
        !ipv4Blocked.contains { matches(bytes, prefix: $0.prefix, bits: $0.bits) }
    }

    private static func isPublicIPv6(_ bytes: [UInt8]) -> Bool {
        let embeddedAt: [(prefix: [UInt8], bits: Int, offset: Int)] = [
            ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF], 96, 12),  // IPv4-mapped
            ([0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0], 96, 12),  // NAT64
            ([0x20, 0x02], 16, 2),  // 6to4
        ]
        for form in embeddedAt where matches(bytes, prefix: form.prefix, bits: form.bits) {
            return isPublicIPv4(Array(bytes[form.offset..<form.offset + 4]))
        }
        // Global unicast is 2000::/3; everything outside it (::/8, fc00::/7, fe80::/10, ff00::/8 …) is not public.
        guard bytes[0] & 0xE0 == 0x20 else { return false }
        let blocked: [(prefix: [UInt8], bits: Int)] = [
            ([0x20, 0x01, 0x00, 0x00], 23),  // IETF protocol assignments, Teredo 2001::/32
            ([0x20, 0x01, 0x0D, 0xB8], 32),  // documentation
            ([0x3F, 0xFF, 0x00, 0x00], 20),  // documentation (RFC 9637)
        ]
        return !blocked.contains { matches(bytes, prefix: $0.prefix, bits: $0.bits) }
    }

    private static func matches(_ bytes: [UInt8], prefix: [UInt8], bits: Int) -> Bool {
        var remaining = bits
        for (index, byte) in prefix.enumerated() where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            guard bytes[index] & mask == byte & mask else { return false }
            remaining -= 8
        }
        return true
    }
}
