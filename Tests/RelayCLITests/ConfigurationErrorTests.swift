import Foundation
import RelayCore
import Testing

@testable import RelayCLI

/// A misspelt key or a bad value is an error that names the key, never silently ignored.
@Suite("ConfigurationLoader errors")
struct ConfigurationErrorTests {
    @Test("an unknown top-level key is refused by name")
    func unknownTopLevelKey() throws {
        let description = try #require(configurationError(yaml: "server: {listen: \"1.2.3.4:80\"}\nlisten: x\n"))
        #expect(description.contains("'listen'"))
    }

    @Test("an unknown nested key is refused with its section and name")
    func unknownNestedKey() throws {
        let description = try #require(configurationError(yaml: "delivery: {timeoutt: 5s}\n"))
        #expect(description.contains("timeoutt"))
        #expect(description.contains("delivery"))
    }

    @Test("an unknown key in a declared webhook is refused by name")
    func unknownWebhookKey() throws {
        let yaml = """
            webhooks:
              - {name: a, url: "https://a.example.com/h", events: ["*"], secret: oops}
            """
        let description = try #require(configurationError(yaml: yaml))
        #expect(description.contains("'secret'"))
        #expect(description.contains("webhooks[0]"))
    }

    @Test(
        "a bad duration names its key path",
        arguments: [
            ("delivery: {timeout: 5x}", "delivery.timeout"),
            ("delivery: {maxAge: soon}", "delivery.maxAge"),
            ("delivery: {retrySchedule: [1s, later]}", "delivery.retrySchedule[1]"),
            ("retention: forever", "retention"),
        ])
    func badDuration(yaml: String, keyPath: String) throws {
        let description = try #require(configurationError(yaml: yaml))
        #expect(description.contains(keyPath))
    }

    @Test("a value of the wrong type names its key path")
    func wrongType() throws {
        let description = try #require(configurationError(yaml: "ingest: {maxEventsPerRequest: many}"))
        #expect(description.contains("ingest.maxEventsPerRequest"))
    }

    @Test("out-of-range values are refused by key")
    func invalidValues() throws {
        let concurrency = try #require(configurationError(yaml: "delivery: {concurrencyPerWebhook: 0}"))
        #expect(concurrency.contains("concurrencyPerWebhook"))
        let format = try #require(configurationError(yaml: "log: {format: xml}"))
        #expect(format.contains("log.format"))
        let level = try #require(configurationError(yaml: "log: {level: verbose}"))
        #expect(level.contains("log.level") && level.contains("trace, debug, info"))
        let negative = try #require(configurationError(yaml: "delivery: {timeout: -5}"))
        #expect(negative.contains("delivery.timeout"))
    }

    @Test("a webhook without a url or with a bad event pattern names the field")
    func badWebhook() throws {
        let missingURL = try #require(configurationError(yaml: "webhooks: [{name: a, events: ['*']}]"))
        #expect(missingURL.contains("webhooks[0].url"))
        let badPattern = try #require(
            configurationError(yaml: "webhooks: [{name: a, url: 'https://a.example.com', events: ['bad type!']}]"))
        #expect(badPattern.contains("webhooks[0].events[0]"))
    }

    @Test("an unknown key coming from the environment is refused too")
    func unknownKeyFromEnvironment() throws {
        let json = #"[{"name": "a", "url": "https://a.example.com/h", "events": ["*"], "enabeld": true}]"#
        let description = try #require(configurationError(environment: ["AUDITRELAY_WEBHOOKS": json]))
        #expect(description.contains("enabeld"))
    }
}
