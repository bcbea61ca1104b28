import Foundation
import RelayCore
import Testing

@testable import RelayCLI

/// `delivery.proxy` and `delivery.connectionMaxAge` (SPEC §1): the file, `AUDITRELAY_` variables,
/// and the conventional `HTTPS_PROXY` / `NO_PROXY` when neither sets the proxy.
@Suite("ConfigurationLoader proxy")
struct ProxyConfigurationTests {
    @Test func theFileSetsTheProxyAndConnectionMaxAge() throws {
        let configuration = try load(
            yaml: """
                delivery:
                  proxy: {url: "http://relay:secret@proxy.internal:3128", noProxy: [".corp.example", siem.local]}
                  connectionMaxAge: 2m
                """)
        let proxy = try #require(configuration.delivery.proxy.settings)
        #expect(proxy.host == "proxy.internal" && proxy.port == 3128)
        #expect(proxy.authorization == "Basic " + Data("relay:secret".utf8).base64EncodedString())
        #expect(proxy.noProxy == ["corp.example", "siem.local"])
        #expect(configuration.delivery.connectionMaxAge == .seconds(120))
    }

    @Test func withoutAProxyConnectionsAreDirectAndLastFiveMinutes() throws {
        let configuration = try load(environment: [:])
        #expect(configuration.delivery.proxy.settings == nil)
        #expect(configuration.delivery.connectionMaxAge == .seconds(300))
    }

    @Test func httpsProxyAndNoProxyAreTheFallback() throws {
        let configuration = try load(environment: [
            "HTTPS_PROXY": "http://proxy.internal:8080", "no_proxy": "localhost, .internal",
        ])
        let proxy = try #require(configuration.delivery.proxy.settings)
        #expect("\(proxy)" == "proxy.internal:8080")
        #expect(proxy.noProxy == ["localhost", "internal"])
    }

    @Test func theRelaysOwnSettingsWinOverTheConventionalVariables() throws {
        let fromFile = try load(
            yaml: "delivery: {proxy: {url: \"http://file.internal:3128\"}}",
            environment: ["HTTPS_PROXY": "http://env.internal:8080"])
        #expect(fromFile.delivery.proxy.settings?.host == "file.internal")
        let fromVariable = try load(environment: [
            "AUDITRELAY_DELIVERY_PROXY_URL": "http://relay.internal:3128", "HTTPS_PROXY": "http://env.internal:8080",
            "AUDITRELAY_DELIVERY_PROXY_NO_PROXY": "a.example,b.example",
        ])
        #expect(fromVariable.delivery.proxy.settings?.host == "relay.internal")
        #expect(fromVariable.delivery.proxy.noProxy == ["a.example", "b.example"])
    }

    @Test func aBadProxyURLIsRefusedWithoutQuotingItsPassword() throws {
        let error = try #require(
            configurationError(yaml: "delivery: {proxy: {url: \"https://relay:hunter2@proxy.internal\"}}"))
        #expect(error.contains("delivery.proxy.url"))
        #expect(error.contains("must start with http://"))
        #expect(!error.contains("hunter2"))
    }
}
