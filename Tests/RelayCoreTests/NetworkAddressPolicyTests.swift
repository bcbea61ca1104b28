import RelayCore
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// SPEC §5.3: which resolved addresses the egress guard lets the relay connect to.
@Suite("NetworkAddressPolicy")
struct NetworkAddressPolicyTests {
    /// The network-order bytes of an address written as text: 4 for IPv4, 16 for IPv6.
    static func bytes(_ address: String) -> [UInt8]? {
        if address.contains(":") {
            var ipv6 = in6_addr()
            guard inet_pton(AF_INET6, address, &ipv6) == 1 else { return nil }
            return withUnsafeBytes(of: ipv6) { Array($0) }
        }
        var ipv4 = in_addr()
        guard inet_pton(AF_INET, address, &ipv4) == 1 else { return nil }
        return withUnsafeBytes(of: ipv4) { Array($0) }
    }

    @Test("The helper writes addresses in network order")
    func helper() {
        #expect(Self.bytes("169.254.169.254") == [169, 254, 169, 254])
        #expect(Self.bytes("::1") == [UInt8](repeating: 0, count: 15) + [1])
        #expect(Self.bytes("fe80::1")?.prefix(2) == [0xFE, 0x80])
        #expect(Self.bytes("not an address") == nil)
    }

    @Test(
        "IPv4",
        arguments: [
            // Unspecified, "this network".
            ("0.0.0.0", false), ("0.255.255.255", false),
            // Loopback.
            ("127.0.0.1", false), ("127.255.255.254", false), ("126.255.255.255", true), ("128.0.0.0", true),
            // RFC 1918.
            ("10.0.0.1", false), ("10.0.0.0", false), ("10.255.255.255", false),
            ("9.255.255.255", true), ("11.0.0.0", true),
            ("172.15.255.255", true), ("172.16.0.0", false), ("172.20.1.1", false), ("172.31.255.255", false),
            ("172.32.0.0", true),
            ("192.167.255.255", true), ("192.168.0.0", false), ("192.168.1.1", false), ("192.168.255.255", false),
            ("192.169.0.0", true),
            // Shared address space 100.64/10.
            ("100.63.255.255", true), ("100.64.0.0", false), ("100.100.100.100", false), ("100.127.255.255", false),
            ("100.128.0.0", true),
            // Link-local, cloud metadata.
            ("169.254.169.254", false), ("169.254.0.0", false), ("169.254.255.255", false),
            ("169.253.255.255", true), ("169.255.0.0", true),
            // Documentation.
            ("192.0.2.1", false), ("198.51.100.7", false), ("203.0.113.255", false),
            // IETF protocol assignments, benchmarking, 6to4 relay anycast.
            ("192.0.0.8", false), ("198.18.0.1", false), ("198.19.255.255", false), ("198.17.255.255", true),
            ("198.20.0.0", true), ("192.88.99.1", false),
            // Multicast, reserved, broadcast.
            ("224.0.0.1", false), ("239.255.255.250", false), ("240.0.0.1", false), ("255.255.255.255", false),
            ("223.255.255.255", true),
            // Public.
            ("8.8.8.8", true), ("1.1.1.1", true), ("93.184.215.14", true), ("1.0.0.0", true),
            ("151.101.1.69", true),
        ] as [(String, Bool)])
    func ipv4(address: String, isPublic: Bool) throws {
        let bytes = try #require(Self.bytes(address))
        #expect(bytes.count == 4)
        #expect(NetworkAddressPolicy.isPublic(bytes) == isPublic)
    }

    @Test(
        "IPv6",
        arguments: [
            // Unspecified, loopback.
            ("::", false), ("::1", false), ("0:0:0:0:0:0:0:1", false),
            // Link-local, site-local, unique-local, multicast.
            ("fe80::1", false), ("febf:ffff::1", false), ("fec0::1", false),
            ("fc00::1", false), ("fd12::1", false), ("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false),
            ("ff02::1", false), ("ff0e::1", false),
            // Documentation, discard, outside global unicast 2000::/3.
            ("2001:db8::1", false), ("2001:db8:ffff::1", false), ("3fff::1", false), ("100::1", false),
            ("4000::1", false), ("5f00::1", false),
            // IPv4-mapped.
            ("::ffff:127.0.0.1", false), ("::ffff:10.0.0.1", false), ("::ffff:169.254.169.254", false),
            ("::ffff:100.64.0.1", false), ("::ffff:0.0.0.0", false), ("::ffff:8.8.8.8", true),
            // IPv4-compatible.
            ("::127.0.0.1", false), ("::10.0.0.1", false), ("::8.8.8.8", false),
            // NAT64 64:ff9b::/96 and the local-use 64:ff9b:1::/48.
            ("64:ff9b::a00:1", false), ("64:ff9b::7f00:1", false), ("64:ff9b::a9fe:a9fe", false),
            ("64:ff9b::808:808", true), ("64:ff9b:1::a00:1", false),
            // 6to4 2002::/16 embeds an IPv4 address in bytes 2-5.
            ("2002:7f00:1::", false), ("2002:a00:1::1", false), ("2002:a9fe:a9fe::", false),
            ("2002:808:808::", true), ("2002:808:808::1", true),
            // Teredo 2001::/32 and the other IETF protocol assignments in 2001::/23.
            ("2001:0::1", false), ("2001:0:4136:e378:8000:63bf:3fff:fdd2", false), ("2001:1::1", false),
            ("2001:1ff::1", false),
            // Public.
            ("2606:4700:4700::1111", true), ("2a00:1450:4001::1", true), ("2001:4860:4860::8888", true),
            ("2001:200::1", true), ("2620:fe::fe", true),
        ] as [(String, Bool)])
    func ipv6(address: String, isPublic: Bool) throws {
        let bytes = try #require(Self.bytes(address))
        #expect(bytes.count == 16)
        #expect(NetworkAddressPolicy.isPublic(bytes) == isPublic)
    }

    @Test("Only 4 or 16 bytes can be a public address", arguments: [0, 1, 3, 5, 8, 15, 17, 32])
    func wrongLength(count: Int) {
        let publicLooking = (Self.bytes("2606:4700:4700::1111") ?? []) + (Self.bytes("2606:4700:4700::1111") ?? [])
        #expect(publicLooking.count == 32)
        #expect(!NetworkAddressPolicy.isPublic(Array(publicLooking.prefix(count))))
    }

    @Test("The refusal uses the SPEC's words")
    func refusalReason() {
        #expect(NetworkAddressPolicy.refusalReason == "destination resolves to a non-public address")
    }
}
