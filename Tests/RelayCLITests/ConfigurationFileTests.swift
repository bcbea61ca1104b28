import Foundation
import RelayCore
import Testing

@testable import RelayCLI

/// The path of the committed example configuration, from this file's location.
private let exampleConfigPath = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Config/auditrelay.yaml").path

/// SPEC §1: embedded defaults, then the YAML file.
@Suite("ConfigurationLoader defaults and file")
struct ConfigurationFileTests {
    @Test("no file and an empty environment give the SPEC §1 defaults")
    func defaults() throws {
        let configuration = try load(environment: [:])
        #expect(configuration == RelayConfiguration())
        #expect(configuration.server.listen == "127.0.0.1:8080")
        #expect(configuration.store.path == "data/auditrelay.sqlite")
        #expect(configuration.auth.adminTokens.isEmpty && configuration.auth.ingestTokens.isEmpty)
        #expect(configuration.ingest.maxBodyBytes == 10_485_760)
        #expect(configuration.ingest.maxEventsPerRequest == 10_000)
        #expect(configuration.ingest.maxEventBytes == 1_048_576)
        #expect(configuration.ingest.maxQueuedEvents == 10_000_000)
        let delivery = configuration.delivery
        #expect(delivery.connectTimeout == .seconds(5))
        #expect(delivery.timeout == .seconds(15))
        let schedule = ["5s", "30s", "2m", "10m", "30m", "1h", "2h", "4h", "8h", "12h", "12h"]
        #expect(delivery.retrySchedule.map(\.description) == schedule)
        #expect(delivery.maxAge == .seconds(72 * 3600))
        #expect(delivery.maxRetryAfter == .seconds(3600))
        #expect(delivery.concurrencyPerWebhook == 4)
        #expect(delivery.trustedCAFile == nil)
        #expect(delivery.allowPrivateNetworks == false)
        #expect(configuration.retention == RelayDuration(milliseconds: 7 * 86_400_000))
        #expect(configuration.eventTypes == [EventTypeInfo(name: "user.login", description: "A user signed in")])
        #expect(configuration.webhooks.isEmpty)
        #expect(configuration.log.level == "info")
        #expect(configuration.log.format == "text")
    }

    @Test("an empty file gives the defaults")
    func emptyFile() throws {
        #expect(try load(yaml: "") == RelayConfiguration())
        #expect(try load(yaml: "# only a comment\n") == RelayConfiguration())
    }

    @Test("keys in the file override the defaults; the others stay")
    func fileOverrides() throws {
        let configuration = try load(
            yaml: """
                server: {listen: "0.0.0.0:9000"}
                store:
                  path: /var/lib/auditrelay/relay.sqlite
                ingest: {maxBodyBytes: 2048, maxQueuedEvents: 50}
                delivery:
                  timeout: 30s
                  retrySchedule: [1s, 500ms, 2m]
                  maxAge: 1d
                  concurrencyPerWebhook: 8
                  trustedCAFile: /etc/ca.pem
                retention: 30d
                eventTypes: [{name: repo.created}]
                log: {level: debug, format: json}
                """)
        #expect(configuration.server.listen == "0.0.0.0:9000")
        #expect(configuration.store.path == "/var/lib/auditrelay/relay.sqlite")
        #expect(configuration.ingest.maxBodyBytes == 2048)
        #expect(configuration.ingest.maxQueuedEvents == 50)
        #expect(configuration.ingest.maxEventsPerRequest == 10_000)
        #expect(configuration.delivery.timeout == .seconds(30))
        #expect(configuration.delivery.connectTimeout == .seconds(5))
        #expect(configuration.delivery.retrySchedule.map(\.milliseconds) == [1_000, 500, 120_000])
        #expect(configuration.delivery.maxAge == .seconds(86_400))
        #expect(configuration.delivery.concurrencyPerWebhook == 8)
        #expect(configuration.delivery.trustedCAFile == "/etc/ca.pem")
        #expect(configuration.retention == .seconds(30 * 86_400))
        #expect(configuration.eventTypes == [EventTypeInfo(name: "repo.created")])
        #expect(configuration.log.level == "debug" && configuration.log.format == "json")
    }

    @Test("webhooks declared in the file decode to WebhookSpec with defaults")
    func declaredWebhooks() throws {
        let configuration = try load(
            yaml: """
                webhooks:
                  - name: minimal
                    url: https://receiver.example.com/hook
                    events: ["*"]
                  - name: splunk
                    kind: custom
                    url: https://splunk.example.com:8088/services/collector/event
                    events: [repo.*, user.login]
                    format: splunk-hec
                    secrets: [whsec_one, two]
                    authorization: Splunk abc
                    headers: {X-Tenant: acme}
                    enabled: false
                    allowPrivateNetwork: true
                    hubSignature: true
                """)
        let minimal = WebhookSpec(
            name: "minimal", url: "https://receiver.example.com/hook", events: [try EventTypePattern(parsing: "*")])
        #expect(configuration.webhooks.first == minimal)
        #expect(minimal.kind == .custom && minimal.enabled && minimal.format == nil && minimal.secrets.isEmpty)

        let splunk = try #require(configuration.webhooks.last)
        #expect(splunk.events.map(\.description) == ["repo.*", "user.login"])
        #expect(splunk.format == .splunkHEC)
        #expect(splunk.secrets == ["whsec_one", "two"])
        #expect(splunk.authorization == "Splunk abc")
        #expect(splunk.headers == ["X-Tenant": "acme"])
        #expect(!splunk.enabled && splunk.allowPrivateNetwork && splunk.hubSignature)
        #expect(splunk.problems().isEmpty)
    }

    @Test("a missing file is an error naming the file")
    func missingFile() {
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(file: "/nonexistent/auditrelay.yaml", environment: [:])
        }
        #expect(error?.description.contains("/nonexistent/auditrelay.yaml") == true)
    }

    @Test("a file whose top level is not a mapping is refused")
    func topLevelNotAMapping() {
        #expect(configurationError(yaml: "- a\n- b\n")?.contains("top level") == true)
        #expect(configurationError(yaml: "server: [unclosed\n")?.contains("not valid YAML") == true)
    }

    @Test(
        "the committed example configuration loads",
        .enabled(if: FileManager.default.fileExists(atPath: exampleConfigPath)))
    func exampleConfiguration() throws {
        let configuration = try ConfigurationLoader.load(file: exampleConfigPath, environment: [:])
        // The example documents every key with its default value.
        #expect(configuration == RelayConfiguration())
    }
}
