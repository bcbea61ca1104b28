import Foundation
import RelayCore
import Testing

/// Reading a proxy URL and matching `noProxy` entries.
@Suite struct ProxySettingsTests {
    @Test func aURLWithoutSchemeOrPortIsHTTPOnPort80() throws {
        let proxy = try ProxySettings(url: "proxy.internal")
        #expect(proxy.host == "proxy.internal" && proxy.port == 80 && proxy.authorization == nil)
    }

    @Test func percentEncodedCredentialsAreDecodedIntoBasicAuthorization() throws {
        let proxy = try ProxySettings(url: "http://us%40er:p%3Ass@proxy.internal:3128/")
        #expect(proxy.authorization == "Basic " + Data("us@er:p:ss".utf8).base64EncodedString())
        #expect(proxy.description == "proxy.internal:3128")
    }

    @Test(arguments: [
        ("https://proxy.internal:3128", "must start with http://"),
        ("socks5://proxy.internal:1080", "must start with http://"),
        ("http://:3128", "needs a host"),
        ("http://proxy.internal:3128/path", "may only have a host"),
    ])
    func refusals(url: String, reason: String) {
        #expect {
            try ProxySettings(url: url)
        } throws: { error in
            (error as? ProxySettings.Problem)?.description.contains(reason) == true
        }
    }

    @Test func noProxyMatchesANameAndItsSubdomainsOnly() throws {
        let proxy = try ProxySettings(url: "http://p:1", noProxy: [".corp.example", "SIEM.local:8088", " "])
        #expect(proxy.noProxy == ["corp.example", "siem.local"])
        #expect(!proxy.applies(to: "corp.example"))
        #expect(!proxy.applies(to: "splunk.corp.example"))
        #expect(!proxy.applies(to: "siem.local"))
        #expect(proxy.applies(to: "notcorp.example"))
        #expect(proxy.applies(to: "hooks.slack.com"))
        #expect(!(try ProxySettings(url: "http://p:1", noProxy: ["*"])).applies(to: "hooks.slack.com"))
    }
}
