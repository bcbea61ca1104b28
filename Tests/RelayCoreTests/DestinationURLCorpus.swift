import RelayCore

/// What SPEC §3.1 requires of one destination URL.
enum DestinationURLExpectation: Sendable, Equatable, CustomStringConvertible {
    /// Accepted; the destination connects to `host` (lower-cased, no trailing dot) on `port`.
    case accepted(host: String, port: Int = 443)
    /// Refused, naming this rule.
    case refused(DestinationURL.Refusal)

    var description: String {
        switch self {
        case .accepted(let host, let port): "accepted \(host):\(port)"
        case .refused(let refusal): "refused (\(refusal))"
        }
    }
}

/// Destination URLs as an attacker would write them to reach 127.0.0.1, 10.0.0.1, 169.254.169.254 or [::1],
/// or to smuggle userinfo past the rules, next to ordinary destinations that must keep working (SPEC §3.1).
///
/// Each entry says what the SPEC requires, not what the code happens to do.
enum DestinationURLCorpus {
    /// "https://example.com/" padded to exactly `DestinationURL.maxLength` characters.
    static let longest = "https://example.com/" + String(repeating: "a", count: 2048 - 20)
    /// One character too many.
    static let tooLong = longest + "a"
    /// 1,120 characters, 2,220 UTF-8 bytes: within the SPEC's "at most 2048 characters".
    static let multibytePath = "https://example.com/" + String(repeating: "é", count: 1100)
    /// A label of exactly 63 characters, the most DNS allows.
    static let label63 = String(repeating: "a", count: 63)
    /// A name of exactly 253 characters.
    static let name253 =
        [label63, String(repeating: "b", count: 63), String(repeating: "c", count: 63)]
        .joined(separator: ".") + "." + String(repeating: "d", count: 61)

    static let entries: [(url: String, expected: DestinationURLExpectation)] = [
        // Ordinary destinations.
        (
            "https://splunk.example.com:8088/services/collector/event",
            .accepted(host: "splunk.example.com", port: 8088)
        ),
        ("https://hooks.slack.com/services/T000/B000/XXXX", .accepted(host: "hooks.slack.com")),
        (
            "https://my-dce-a1b2.eastus-1.ingest.monitor.azure.com/dataCollectionRules/"
                + "dcr-0123456789abcdef0123456789abcdef/streams/Custom-AuditRelay_CL?api-version=2023-01-01",
            .accepted(host: "my-dce-a1b2.eastus-1.ingest.monitor.azure.com")
        ),
        (
            "https://0123abcd-0000-4000-8000-000000000000.ods.opinsights.azure.com/api/logs?api-version=2016-04-01",
            .accepted(host: "0123abcd-0000-4000-8000-000000000000.ods.opinsights.azure.com")
        ),
        ("https://hooks.example.com/in", .accepted(host: "hooks.example.com")),
        ("https://example.com", .accepted(host: "example.com")),
        ("https://example.com/", .accepted(host: "example.com")),
        ("https://example.com/path?query=1#fragment", .accepted(host: "example.com")),
        ("https://example.com/a/b;c=d?e=f&g=h#i", .accepted(host: "example.com")),
        ("https://example.com/webhook?token=abc%20def", .accepted(host: "example.com")),
        ("https://example.com:8088", .accepted(host: "example.com", port: 8088)),
        ("https://sub-domain.example-host.com/", .accepted(host: "sub-domain.example-host.com")),
        ("https://a.b.c.d.example.com/", .accepted(host: "a.b.c.d.example.com")),
        ("https://123.example/", .accepted(host: "123.example")),
        ("https://1e100.net/", .accepted(host: "1e100.net")),
        // Upper case and trailing dot: the host is lower-cased and loses the dot.
        ("HTTPS://EXAMPLE.COM/Hook", .accepted(host: "example.com")),
        ("HtTpS://WWW.Example.COM:8443/A?B#C", .accepted(host: "www.example.com", port: 8443)),
        ("https://example.com./webhook", .accepted(host: "example.com")),
        ("https://example.com.:8088/x", .accepted(host: "example.com", port: 8088)),
        // Ports.
        ("https://example.com:443/", .accepted(host: "example.com")),
        ("https://example.com:/", .accepted(host: "example.com")),
        ("https://example.com:", .accepted(host: "example.com")),
        ("https://example.com:1/", .accepted(host: "example.com", port: 1)),
        ("https://example.com:65535/", .accepted(host: "example.com", port: 65535)),
        ("https://example.com:0443/", .accepted(host: "example.com")),
        // Punycode is the accepted spelling of an international name.
        ("https://xn--bcher-kva.example/", .accepted(host: "xn--bcher-kva.example")),
        ("https://XN--BCHER-KVA.EXAMPLE/in", .accepted(host: "xn--bcher-kva.example")),
        // Names the URL rules accept; the egress guard (§5.3) checks what they resolve to.
        ("https://localhost/", .accepted(host: "localhost")),
        ("https://localhost:8443/hook", .accepted(host: "localhost", port: 8443)),
        ("https://LOCALHOST./", .accepted(host: "localhost")),
        ("https://metadata.google.internal/computeMetadata/v1/", .accepted(host: "metadata.google.internal")),
        ("https://127.0.0.1.nip.io/", .accepted(host: "127.0.0.1.nip.io")),
        ("https://0x7f.example/", .accepted(host: "0x7f.example")),
        ("https://0xzz/", .accepted(host: "0xzz")),
        // "@", ":" and IP addresses after the authority are path, query or fragment.
        ("https://example.com/@127.0.0.1", .accepted(host: "example.com")),
        ("https://example.com?@127.0.0.1", .accepted(host: "example.com")),
        ("https://example.com#@127.0.0.1", .accepted(host: "example.com")),
        ("https://example.com/?next=https://user:pass@10.0.0.1/", .accepted(host: "example.com")),
        // Lengths.
        ("https://\(label63).example/", .accepted(host: "\(label63).example")),
        ("https://\(name253)/", .accepted(host: name253)),
        (longest, .accepted(host: "example.com")),
        (tooLong, .refused(.length)),
        (multibytePath, .accepted(host: "example.com")),
        ("", .refused(.length)),

        // Scheme.
        ("http://www.example.com/webhook", .refused(.scheme)),
        ("http://127.0.0.1/", .refused(.scheme)),
        ("HTTP://EXAMPLE.COM/", .refused(.scheme)),
        ("ftp://example.com/", .refused(.scheme)),
        ("wss://example.com/", .refused(.scheme)),
        ("file:///etc/passwd", .refused(.scheme)),
        ("gopher://127.0.0.1:6379/_INFO", .refused(.scheme)),
        ("httpss://example.com/", .refused(.scheme)),
        ("javascript:alert(1)", .refused(.scheme)),
        ("javascript://example.com/%0aalert(1)", .refused(.scheme)),
        ("data:text/html,https://example.com/", .refused(.scheme)),
        ("example.com:443", .refused(.scheme)),
        // Not absolute.
        ("example.com/webhook", .refused(.notAbsolute)),
        ("//example.com/", .refused(.notAbsolute)),
        ("/webhook", .refused(.notAbsolute)),
        ("https:example.com", .refused(.notAbsolute)),
        ("https:/example.com", .refused(.notAbsolute)),
        ("HTTPS:example.com", .refused(.notAbsolute)),

        // Whitespace and control characters, anywhere.
        (" https://example.com/", .refused(.whitespace)),
        ("https://example.com/ ", .refused(.whitespace)),
        ("https://exa mple.com/", .refused(.whitespace)),
        ("https://example.com:443 /", .refused(.whitespace)),
        ("https://example.com/\t", .refused(.whitespace)),
        ("https://exam\tple.com/", .refused(.whitespace)),
        ("https://example.com\n/", .refused(.whitespace)),
        ("https://example.com/\r\n", .refused(.whitespace)),
        ("https://127.0.0.1\u{0}.example.com/", .refused(.whitespace)),
        ("https://example.com/\u{7}", .refused(.whitespace)),
        ("https://example.com/\u{7F}", .refused(.whitespace)),
        ("https://example.com/\u{85}", .refused(.whitespace)),
        ("https://example.com/\u{A0}", .refused(.whitespace)),
        ("https://example.com/\u{2028}", .refused(.whitespace)),
        ("https://example.com/\u{3000}", .refused(.whitespace)),
        ("https://example.com/\u{90}", .refused(.whitespace)),  // C1 control character
        ("https://example.com/\u{9F}", .refused(.whitespace)),  // C1 control character
        ("https://exa\u{90}mple.com/", .refused(.whitespace)),  // C1 control character in the host

        // Backslashes: WHATWG reads "\" as "/", other parsers do not.
        (#"https://evil.com\@127.0.0.1"#, .refused(.backslash)),
        (#"https://127.0.0.1\@evil.com/"#, .refused(.backslash)),
        (#"https://evil.com\\@10.0.0.1/"#, .refused(.backslash)),
        (#"https:\\127.0.0.1"#, .refused(.backslash)),
        (#"https:/\127.0.0.1/"#, .refused(.backslash)),

        // Userinfo, in every form.
        ("https://user:password@www.example.com/webhook", .refused(.userinfo)),
        ("https://user@example.com/", .refused(.userinfo)),
        ("https://user:@example.com/", .refused(.userinfo)),
        ("https://:password@example.com/", .refused(.userinfo)),
        ("https://:@example.com/", .refused(.userinfo)),
        ("https://@example.com/", .refused(.userinfo)),
        ("https://@www.example.com/webhook", .refused(.userinfo)),
        ("https://example.com@127.0.0.1/", .refused(.userinfo)),
        ("https://127.0.0.1@example.com/", .refused(.userinfo)),
        ("https://example.com:443@127.0.0.1/", .refused(.userinfo)),
        ("https://example.com:@10.0.0.1/", .refused(.userinfo)),
        ("https://a@b@example.com/", .refused(.userinfo)),
        ("https://user%40evil.com@example.com/", .refused(.userinfo)),
        ("https://example.com;@127.0.0.1/", .refused(.userinfo)),
        ("https://user:pass@[::1]/", .refused(.userinfo)),
        // "%40" decodes to "@" inside the host: not a name, or an IP address after the "@".
        ("https://user%40example.com/", .refused(.invalidHost)),
        ("https://evil.com%40127.0.0.1/", .refused(.ipAddress)),

        // Missing host.
        ("https:///path", .refused(.missingHost)),
        ("https://", .refused(.missingHost)),
        ("https://:443/", .refused(.missingHost)),
        ("https://:8443/webhook", .refused(.missingHost)),
        ("https://:", .refused(.missingHost)),
        ("https://?x=1", .refused(.missingHost)),
        ("https://#fragment", .refused(.missingHost)),

        // Ports outside 1-65535 or not a plain number.
        ("https://example.com:0/", .refused(.port)),
        ("https://example.com:00000/", .refused(.port)),
        ("https://example.com:65536/", .refused(.port)),
        ("https://example.com:+443/", .refused(.port)),
        ("https://example.com:-1/", .refused(.port)),
        ("https://example.com:http/", .refused(.port)),
        ("https://example.com:0x1bb/", .refused(.port)),
        ("https://example.com:99999999999999999999/", .refused(.port)),
        ("https://example.com:１２３/", .refused(.port)),
        ("https://example.com:443:443/", .refused(.port)),

        // IPv4, dotted and shortened.
        ("https://127.0.0.1/", .refused(.ipAddress)),
        ("https://127.0.0.1:443/", .refused(.ipAddress)),
        ("https://10.0.0.1/webhook", .refused(.ipAddress)),
        ("https://169.254.169.254/latest/meta-data/", .refused(.ipAddress)),
        ("https://8.8.8.8/", .refused(.ipAddress)),
        ("https://0.0.0.0/", .refused(.ipAddress)),
        ("https://0/", .refused(.ipAddress)),
        ("https://127.1/", .refused(.ipAddress)),
        ("https://10.1/", .refused(.ipAddress)),
        ("https://127.0.1/", .refused(.ipAddress)),
        ("https://169.254.43518/", .refused(.ipAddress)),
        // Decimal, octal, hex and mixed.
        ("https://2130706433/", .refused(.ipAddress)),
        ("https://167772161/", .refused(.ipAddress)),
        ("https://2852039166/", .refused(.ipAddress)),
        ("https://0177.0.0.1/", .refused(.ipAddress)),
        ("https://017700000001/", .refused(.ipAddress)),
        ("https://0251.0376.0251.0376/", .refused(.ipAddress)),
        ("https://012.0.0.1/", .refused(.ipAddress)),
        ("https://0x7f000001/", .refused(.ipAddress)),
        ("https://0X7F000001/", .refused(.ipAddress)),
        ("https://0x7f.0.0.1/", .refused(.ipAddress)),
        ("https://0x7f.1/", .refused(.ipAddress)),
        ("https://0xa9fea9fe/", .refused(.ipAddress)),
        ("https://0xA9.0xFE.0xA9.0xFE/", .refused(.ipAddress)),
        ("https://0x0a.0.0.1/", .refused(.ipAddress)),
        ("https://0177.0x0.0.1/", .refused(.ipAddress)),
        ("https://127.0x0.1/", .refused(.ipAddress)),
        ("https://0x/", .refused(.ipAddress)),
        ("https://256.256.256.256/", .refused(.ipAddress)),
        ("https://1.2.3.4.5/", .refused(.ipAddress)),
        ("https://09.0.0.1/", .refused(.ipAddress)),
        // A name whose last label is a number is parsed as IPv4 (WHATWG "ends in a number").
        ("https://example.123/", .refused(.ipAddress)),
        ("https://example.com.1/", .refused(.ipAddress)),
        ("https://example.0x1f/", .refused(.ipAddress)),
        ("https://example.0XAB/", .refused(.ipAddress)),
        ("https://example.0x/", .refused(.ipAddress)),
        // Trailing dot.
        ("https://127.0.0.1./", .refused(.ipAddress)),
        ("https://10.0.0.1.:8443/", .refused(.ipAddress)),
        ("https://0x7f000001./", .refused(.ipAddress)),
        ("https://2130706433./", .refused(.ipAddress)),
        // Two trailing dots leave an empty label: no parser reads that as an address, and it is no name.
        ("https://127.0.0.1../", .refused(.invalidHost)),
        // Percent-encoded digits, dots and ideographic dots.
        ("https://%31%32%37.0.0.1/", .refused(.ipAddress)),
        ("https://127%2E0%2E0%2E1/", .refused(.ipAddress)),
        ("https://127.0.0.%31/", .refused(.ipAddress)),
        ("https://%30x7f000001/", .refused(.ipAddress)),
        ("https://%EF%BC%91%EF%BC%92%EF%BC%97.0.0.1/", .refused(.ipAddress)),
        ("https://127%E3%80%820%E3%80%820%E3%80%821/", .refused(.ipAddress)),
        // Full-width digits and dots, ideographic full stops (IDNA maps them to ASCII).
        ("https://１２７．０．０．１/", .refused(.ipAddress)),
        ("https://１６９．２５４．１６９．２５４/", .refused(.ipAddress)),
        ("https://127。0。0。1/", .refused(.ipAddress)),
        ("https://127｡0｡0｡1/", .refused(.ipAddress)),
        ("https://１0.0.0.1/", .refused(.ipAddress)),
        ("https://０x7f000001/", .refused(.ipAddress)),
        // The authority ends at "/", "?" or "#": what follows does not hide the address.
        ("https://127.0.0.1#@example.com", .refused(.ipAddress)),
        ("https://127.0.0.1?@example.com", .refused(.ipAddress)),
        ("https://127.0.0.1/@example.com", .refused(.ipAddress)),

        // Bracketed IPv6, with or without zone and port, IPv4-mapped.
        ("https://[::1]/", .refused(.ipAddress)),
        ("https://[::1]:443/", .refused(.ipAddress)),
        ("https://[::1]:8443/webhook", .refused(.ipAddress)),
        ("https://[0:0:0:0:0:0:0:1]/", .refused(.ipAddress)),
        ("https://[::]/", .refused(.ipAddress)),
        ("https://[::ffff:127.0.0.1]/", .refused(.ipAddress)),
        ("https://[::ffff:7f00:1]/", .refused(.ipAddress)),
        ("https://[::ffff:a9fe:a9fe]/", .refused(.ipAddress)),
        ("https://[::127.0.0.1]/", .refused(.ipAddress)),
        ("https://[64:ff9b::a00:1]/", .refused(.ipAddress)),
        ("https://[fe80::1%25eth0]/", .refused(.ipAddress)),
        ("https://[fe80::1%eth0]/", .refused(.ipAddress)),
        ("https://[2001:db8::7]/webhook", .refused(.ipAddress)),
        ("https://[2001:DB8::7]:8443/", .refused(.ipAddress)),
        ("https://[2606:4700:4700::1111]/", .refused(.ipAddress)),
        ("https://[::1/", .refused(.ipAddress)),
        ("https://::1/", .refused(.ipAddress)),
        ("https://%5B%3A%3A1%5D/", .refused(.ipAddress)),

        // Not a valid host name.
        ("https://-example.com/", .refused(.invalidHost)),
        ("https://example-.com/", .refused(.invalidHost)),
        ("https://example..com/", .refused(.invalidHost)),
        ("https://.example.com/", .refused(.invalidHost)),
        ("https://example.com../", .refused(.invalidHost)),
        ("https://./", .refused(.invalidHost)),
        ("https://%2e/", .refused(.invalidHost)),
        ("https://*.example.com/", .refused(.invalidHost)),
        ("https://exa!mple.com/", .refused(.invalidHost)),
        ("https://a\(label63).example/", .refused(.invalidHost)),
        ("https://\(name253)d/", .refused(.invalidHost)),
        ("https://exa%zzmple.com/", .refused(.invalidHost)),
        ("https://exam%2Dple.com/", .refused(.invalidHost)),
        ("https://127.0.0.1%00.example.com/", .refused(.invalidHost)),
        // Not ASCII: international names are written in punycode.
        ("https://bücher.example/", .refused(.nonASCIIHost)),
        ("https://BÜCHER.example/", .refused(.nonASCIIHost)),
        ("https://b%C3%BCcher.example/", .refused(.nonASCIIHost)),
        ("https://ｅｘａｍｐｌｅ.com/", .refused(.nonASCIIHost)),
        ("https://ⓔxample.com/", .refused(.nonASCIIHost)),
        ("https://пример.рф/", .refused(.nonASCIIHost)),
        ("https://ex\u{AD}ample.com/", .refused(.nonASCIIHost)),
        ("https://exa\u{200B}mple.com/", .refused(.nonASCIIHost)),
    ]
}
