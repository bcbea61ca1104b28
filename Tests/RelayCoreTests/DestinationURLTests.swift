import RelayCore
import Testing

/// SPEC §3.1: destination URL rules (basic cases).
@Suite("DestinationURL")
struct DestinationURLTests {
    @Test(
        "Acceptable https destinations",
        arguments: [
            "https://hooks.example.com/in",
            "https://splunk.example.com:8088/services/collector/event",
            "HTTPS://Example.COM/Hook",
            "https://example.com",
            "https://example.com/path?query=1#fragment",
            "https://xn--bcher-kva.example/in",
            "https://localhost:8443/hook",
        ])
    func accepted(url: String) {
        #expect(DestinationURL.problem(url) == nil)
    }

    @Test(
        "Refused destinations name the rule broken",
        arguments: [
            ("http://www.example.com/webhook", "https"),
            ("ftp://example.com/", "https"),
            ("example.com/webhook", "https"),
            ("https://10.0.0.1/webhook", "IP address"),
            ("https://[2001:db8::7]/webhook", "IP address"),
            ("https://[fe80::1%25eth0]/webhook", "IP address"),
            ("https://127.1/", "IP address"),
            ("https://2130706433/", "IP address"),
            ("https://0x7f.0.0.1/", "IP address"),
            ("https://10.0.0.1./", "IP address"),
            ("https://%31%30.0.0.1/", "IP address"),
            ("https://user:password@www.example.com/webhook", "authorization header"),
            ("https://@www.example.com/webhook", "userinfo"),
            ("https:///webhook", "host"),
            ("https://:8443/webhook", "host"),
            ("https://example.com:0/", "port"),
            ("https://example.com:65536/", "port"),
            ("https://example.com:http/", "port"),
            ("https://exa mple.com/", "whitespace"),
            ("https://example.com/\u{7}", "control"),
            ("", "characters"),
        ])
    func refused(url: String, rule: String) throws {
        let problem = try #require(DestinationURL.problem(url))
        #expect(problem.contains(rule), "\(url): \(problem)")
    }

    @Test("Port bounds 1 and 65535 are accepted")
    func portBounds() {
        #expect(DestinationURL.problem("https://example.com:1/") == nil)
        #expect(DestinationURL.problem("https://example.com:65535/") == nil)
    }

    @Test("At most 2048 characters")
    func maxLength() {
        let prefix = "https://example.com/"
        let fits = prefix + String(repeating: "a", count: DestinationURL.maxLength - prefix.count)
        #expect(DestinationURL.maxLength == 2048)
        #expect(DestinationURL.problem(fits) == nil)
        #expect(DestinationURL.problem(fits + "a")?.contains("2048") == true)
    }
}

@Suite struct DestinationRequestLineTests {
    @Test(arguments: [
        ("https://example.com", "/", "example.com"),
        (
            "https://example.com:8088/services/collector?channel=a%20b#frag", "/services/collector?channel=a%20b",
            "example.com:8088"
        ),
        ("https://Example.COM.:443?x=1", "/?x=1", "example.com"),
    ])
    func requestTargetAndHostHeader(url: String, target: String, host: String) throws {
        let destination = try DestinationURL(validating: url)
        #expect(destination.requestTarget == target)
        #expect(destination.hostHeader == host)
    }
}
