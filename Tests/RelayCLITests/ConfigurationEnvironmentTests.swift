import Foundation
import RelayCore
import Testing

@testable import RelayCLI

/// SPEC §1: every key can be set by `AUDITRELAY_` + upper-snake path, over the file.
@Suite("ConfigurationLoader environment")
struct ConfigurationEnvironmentTests {
    private let file = """
        server: {listen: "10.0.0.1:7000"}
        ingest: {maxBodyBytes: 2048, maxEventBytes: 512}
        delivery: {retrySchedule: [9s], allowPrivateNetworks: false}
        auth: {adminTokens: [from-file]}
        """

    @Test("environment variables override the file; keys they do not name keep the file's value")
    func environmentOverridesFile() throws {
        let configuration = try load(
            yaml: file,
            environment: [
                "AUDITRELAY_SERVER_LISTEN": "0.0.0.0:9000",
                "AUDITRELAY_INGEST_MAX_BODY_BYTES": "4096",
                "AUDITRELAY_DELIVERY_ALLOW_PRIVATE_NETWORKS": "true",
                "UNRELATED": "ignored",
            ])
        #expect(configuration.server.listen == "0.0.0.0:9000")
        #expect(configuration.ingest.maxBodyBytes == 4096)
        #expect(configuration.ingest.maxEventBytes == 512)
        #expect(configuration.delivery.allowPrivateNetworks)
        #expect(configuration.delivery.retrySchedule == seconds(9))
        #expect(configuration.auth.adminTokens == ["from-file"])
    }

    @Test(
        "a retry schedule can be given as a YAML list or comma-separated",
        arguments: ["[1s, 2s]", "1s,2s", " 1s , 2s "])
    func retryScheduleFromEnvironment(value: String) throws {
        let configuration = try load(yaml: file, environment: ["AUDITRELAY_DELIVERY_RETRY_SCHEDULE": value])
        #expect(configuration.delivery.retrySchedule == seconds(1, 2))
    }

    @Test("the short token variables set the token lists")
    func tokenAliases() throws {
        let configuration = try load(
            yaml: file, environment: ["AUDITRELAY_ADMIN_TOKEN": "admin-secret", "AUDITRELAY_INGEST_TOKEN": "i1,i2"])
        #expect(configuration.auth.adminTokens == ["admin-secret"])
        #expect(configuration.auth.ingestTokens == ["i1", "i2"])
        let long = try load(environment: ["AUDITRELAY_AUTH_INGEST_TOKENS": "[a, b]"])
        #expect(long.auth.ingestTokens == ["a", "b"])
    }

    @Test("webhooks can be given as JSON")
    func webhooksAsJSON() throws {
        let json = """
            [{"name": "env-hook", "url": "https://env.example.com/hook", "events": ["user.*"],
              "secrets": ["whsec_x"], "hubSignature": true}]
            """
        let configuration = try load(environment: ["AUDITRELAY_WEBHOOKS": json])
        let webhook = try #require(configuration.webhooks.first)
        #expect(configuration.webhooks.count == 1)
        #expect(webhook.name == "env-hook")
        #expect(webhook.url == "https://env.example.com/hook")
        #expect(webhook.events.map(\.description) == ["user.*"])
        #expect(webhook.secrets == ["whsec_x"])
        #expect(webhook.hubSignature && webhook.enabled && webhook.kind == .custom)
    }

    @Test("durations, top-level and string keys are read from the environment")
    func otherKeys() throws {
        let configuration = try load(environment: [
            "AUDITRELAY_DELIVERY_MAX_AGE": "48h",
            "AUDITRELAY_DELIVERY_CONCURRENCY_PER_WEBHOOK": "2",
            "AUDITRELAY_RETENTION": "1d",
            "AUDITRELAY_STORE_PATH": "/tmp/x.sqlite",
            "AUDITRELAY_LOG_FORMAT": "json",
        ])
        #expect(configuration.delivery.maxAge == .seconds(48 * 3600))
        #expect(configuration.delivery.concurrencyPerWebhook == 2)
        #expect(configuration.retention == .seconds(86_400))
        #expect(configuration.store.path == "/tmp/x.sqlite")
        #expect(configuration.log.format == "json")
    }

    @Test("environment names are AUDITRELAY_ and the upper-snake key path")
    func environmentNames() {
        let names = Dictionary(uniqueKeysWithValues: RelayConfiguration.keys.map { ($0.path, $0.environmentName) })
        #expect(names["server.listen"] == "AUDITRELAY_SERVER_LISTEN")
        #expect(names["ingest.maxBodyBytes"] == "AUDITRELAY_INGEST_MAX_BODY_BYTES")
        #expect(names["retention"] == "AUDITRELAY_RETENTION")
        #expect(names["delivery.proxy.noProxy"] == "AUDITRELAY_DELIVERY_PROXY_NO_PROXY")
    }

    @Test("delivery.trustedCAFile is AUDITRELAY_DELIVERY_TRUSTED_CA_FILE")
    func trustedCAFileName() throws {
        #expect(
            RelayConfiguration.keys.first { $0.path == "delivery.trustedCAFile" }?.environmentName
                == "AUDITRELAY_DELIVERY_TRUSTED_CA_FILE")
        let configuration = try load(environment: ["AUDITRELAY_DELIVERY_TRUSTED_CA_FILE": "/etc/ca.pem"])
        #expect(configuration.delivery.trustedCAFile == "/etc/ca.pem")
    }

    @Test("a bad environment value names its variable or key")
    func badEnvironmentValue() {
        let scalar = configurationError(environment: ["AUDITRELAY_INGEST_MAX_BODY_BYTES": "lots"])
        #expect(scalar?.contains("ingest.maxBodyBytes") == true)
        let json = configurationError(environment: ["AUDITRELAY_WEBHOOKS": "[{\"name\": "])
        #expect(json?.contains("AUDITRELAY_WEBHOOKS") == true)
    }
}
