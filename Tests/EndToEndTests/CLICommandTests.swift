import ArgumentParser
import Foundation
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

@testable import RelayCLI

/// The operator commands parsed as the shell would pass them and run against a live relay.
@Suite struct CLICommandTests {
    @Test func webhooksAreManagedFromTheCommandLine() async throws {
        try await TestReceiver.with { receiver in
            let directory = try TestFixtures.temporaryDirectory()
            try await withRelay(testConfiguration(directory: directory, webhooks: [])) { relay in
                let admin = ["--server", "http://127.0.0.1:\(relay.port)", "--token", "test-admin-token"]
                try await runCommand(
                    ["webhooks", "add"] + admin + [
                        "--name", "cli-hook", "--url", receiver.url(), "--event", "user.*", "--event", "repo.deleted",
                        "--header", "X-Tenant: acme", "--authorization", "Bearer cli-token", "--secret", "cli-secret-1",
                    ])
                let store = try relay.openStore()
                let created = try #require(try await store.webhooks().first)
                #expect(created.name == "cli-hook")
                #expect(created.events.map(\.description) == ["user.*", "repo.deleted"])
                #expect(created.headers == ["X-Tenant": "acme"])
                #expect(created.authorization == "Bearer cli-token")
                #expect(created.secrets == ["cli-secret-1"])

                try await runCommand(["webhooks", "update", created.id] + admin + ["--disable"])
                #expect(try await store.webhook(id: created.id)?.state == .disabled)
                try await runCommand(
                    ["webhooks", "update", created.id] + admin + ["--enable", "--clear-authorization"])
                let enabled = try #require(try await store.webhook(id: created.id))
                #expect(enabled.state == .active)
                #expect(enabled.authorization == nil)

                try await runCommand(["webhooks", "list", "--json"] + admin)
                try await runCommand(["webhooks", "show", created.id] + admin)
                try await runCommand(["secrets", "generate", "--webhook", created.id] + admin)
                #expect(try await store.webhook(id: created.id)?.secrets.count == 2)
                try await runCommand(["webhooks", "test", created.id] + admin)
                #expect(
                    try await receiver.waitForRequests(1).first?.headers["x-auditrelay-event-type"] == "auditrelay.test"
                )

                let ingest = ["--server", "http://127.0.0.1:\(relay.port)", "--token", testIngestToken]
                try await runCommand(
                    ["events", "send", "--type", "user.login", "--id", "cli-evt", "--actor", "alice"] + ingest)
                #expect(try await store.eventDetail(id: "cli-evt")?.event.type == "user.login")

                try await runCommand(["webhooks", "remove", created.id] + admin)
                #expect(try await store.webhooks().isEmpty)
            }
        }
    }

    @Test func siemOptionsSetBatchingSplunkFieldsAndOAuth() async throws {
        let directory = try TestFixtures.temporaryDirectory()
        try await withRelay(testConfiguration(directory: directory, webhooks: [])) { relay in
            let admin = ["--server", "http://127.0.0.1:\(relay.port)", "--token", "test-admin-token"]
            try await runCommand(
                ["webhooks", "add"] + admin + [
                    "--name", "hec", "--url", "https://splunk.example.com:8088/services/collector/event", "--event",
                    "*",
                    "--format", "splunk-hec", "--splunk-sourcetype", "acme:audit", "--splunk-index", "security",
                    "--batch-max-events", "100", "--batch-max-wait", "2s",
                ])
            let store = try relay.openStore()
            let hec = try #require(try await store.webhooks().first)
            #expect(hec.batch == BatchSettings(maxEvents: 100, maxBytes: 1_000_000, maxWait: .seconds(2)))
            #expect(hec.splunk == SplunkFields(sourcetype: "acme:audit", index: "security"))
            try await runCommand(["webhooks", "update", hec.id] + admin + ["--no-batch"])
            #expect(try await store.webhook(id: hec.id)?.batch == nil)

            try await runCommand(
                ["webhooks", "add"] + admin + [
                    "--name", "sentinel", "--event", "*", "--format", "sentinel",
                    "--url", "https://dce.example.ingest.monitor.azure.com/dataCollectionRules/dcr-1/streams/Custom-A",
                    "--oauth-token-url", "https://login.microsoftonline.com/tenant/oauth2/v2.0/token",
                    "--oauth-client-id", "client-1", "--oauth-client-secret", "cli-client-secret",
                    "--oauth-scope", "https://monitor.azure.com//.default",
                ])
            let sentinel = try #require(try await store.webhooks().first { $0.name == "sentinel" })
            #expect(sentinel.auth?.clientSecret == "cli-client-secret")
            try await runCommand(["webhooks", "update", sentinel.id] + admin + ["--oauth-client-id", "client-2"])
            let updated = try #require(try await store.webhook(id: sentinel.id)?.auth)
            #expect(updated.clientID == "client-2")
            #expect(updated.clientSecret == "cli-client-secret", "a PATCH without the secret keeps it")
            let both = await commandFailure(
                ["webhooks", "update", sentinel.id] + admin + ["--authorization", "Bearer static"])
            #expect(both == "422 Validation failed: auth: set either authorization or auth, not both")
            let slack = await commandFailure(
                ["webhooks", "add"] + admin + [
                    "--name", "s", "--kind", "slack", "--url", "https://hooks.slack.com/services/T1/B1/x", "--event",
                    "*",
                    "--batch-max-events", "5",
                ])
            #expect(slack == "422 Validation failed: batch: applies to custom webhooks only")
        }
    }

    @Test func refusalsAreOneLineNamingTheRule() async throws {
        let directory = try TestFixtures.temporaryDirectory()
        try await withRelay(testConfiguration(directory: directory, webhooks: [])) { relay in
            let admin = ["--server", "http://127.0.0.1:\(relay.port)", "--token", "test-admin-token"]
            let badURL = await commandFailure(
                ["webhooks", "add"] + admin + ["--name", "x", "--url", "https://10.0.0.1/hook", "--event", "*"])
            #expect(badURL == "422 Validation failed: url: the host may not be an IP address")
            let userinfo = await commandFailure(
                ["webhooks", "add"] + admin + ["--name", "x", "--url", "https://u:p@example.com/", "--event", "*"])
            #expect(userinfo?.contains("userinfo is not allowed; use the authorization header instead") == true)
            let reserved = await commandFailure(
                ["webhooks", "add"] + admin + [
                    "--name", "x", "--url", "https://example.com/", "--event", "*", "--header", "Host: evil",
                ])
            #expect(reserved?.contains("headers.Host: is set by the relay") == true)
            let wrongToken = await commandFailure(
                ["webhooks", "list", "--server", "http://127.0.0.1:\(relay.port)", "--token", "nope"])
            #expect(wrongToken == "401 Unauthorized")
            let missing = await commandFailure(["webhooks", "show", "wh_missing"] + admin)
            #expect(missing?.hasPrefix("404") == true)
            let remaining = try await relay.openStore().webhooks()
            #expect(remaining.isEmpty)
        }
    }

    @Test func localCommandsNeedNoRelay() async throws {
        #expect(
            await commandFailure(["check-url", "https://0x7f000001/hook"])
                == "refused: the host may not be an IP address")
        #expect(await commandFailure(["check-url", "https://hooks.example.com/in"]) == nil)
        #expect(await commandFailure(["check-url", "http://hooks.example.com/in"]) == "refused: only https is allowed")
        #expect(await commandFailure(["version"]) == nil)
        #expect(await commandFailure(["secrets", "generate"]) == nil)
        #expect(throws: (any Error).self) { try AuditRelayCommand.parseAsRoot(["webhooks", "add", "--bogus"]) }
        #expect(throws: (any Error).self) { try AuditRelayCommand.parseAsRoot(["no-such-command"]) }
        let cannotReach = await commandFailure(["webhooks", "list", "--server", "http://127.0.0.1:1", "--token", "t"])
        #expect(cannotReach?.hasPrefix("cannot reach the relay at http://127.0.0.1:1") == true)
    }

    @Test func webhookPrinterAndTableAreAligned() throws {
        let table = TableFormatter.render(header: ["ID", "NAME"], rows: [["wh_1", "a"], ["wh_22", "bb"]])
        #expect(table == "ID     NAME\nwh_1   a\nwh_22  bb")
        let health = #"""
            "health":{"queueDepth":0,"oldestPendingAt":null,"lastSuccessAt":null,"lastFailureAt":null,
                      "lastFailureReason":null,"consecutiveFailures":0}
            """#
        // Members that are null are not shown.
        let custom = try JSONDecoder().decode(
            WebhookResource.self,
            from: Data(
                #"""
                {"id":"wh_1","name":"siem","kind":"custom","url":"https://siem.example.com/in","events":["a","b"],
                 "format":"json","secrets":["abc…","whs…"],"authorization":null,"headers":{"X-B":"2","X-A":"1"},
                 "enabled":true,"state":"active","stateReason":null,"allowPrivateNetwork":false,"hubSignature":true,
                 "splunk":null,"batch":{"maxEvents":10,"maxBytes":2048,"maxWait":"2s"},"auth":null,
                 "clientCertificate":null,"createdAt":"2026-11-24T10:00:00Z","updatedAt":"2026-11-24T10:05:00Z",
                 \#(health)}
                """#.utf8))
        #expect(
            WebhookPrinter.render(custom).components(separatedBy: "\n") == [
                "id: wh_1", "name: siem", "kind: custom", "url: https://siem.example.com/in", "events: a, b",
                "format: json", "state: active", "secrets: abc…, whs…", "headers: X-A: 1; X-B: 2",
                "batch: maxBytes: 2048; maxEvents: 10; maxWait: 2s", "allowPrivateNetwork: false",
                "hubSignature: true", "createdAt: 2026-11-24T10:00:00Z", "updatedAt: 2026-11-24T10:05:00Z",
            ])
        // Members a Slack webhook does not have are not shown; the ones it has are, empty or not.
        let slack = try JSONDecoder().decode(
            WebhookResource.self,
            from: Data(
                #"""
                {"id":"wh_2","name":"alerts","kind":"slack","url":"https://hooks.slack.com/services/T0001/B0002/***",
                 "events":["*"],"secrets":[],"authorization":null,"headers":{},"enabled":false,"state":"disabled",
                 "stateReason":"disabled by an operator","allowPrivateNetwork":false,"hubSignature":false,
                 "createdAt":"2026-11-24T10:00:00Z","updatedAt":"2026-11-24T10:05:00Z",\#(health)}
                """#.utf8))
        #expect(
            WebhookPrinter.render(slack).components(separatedBy: "\n") == [
                "id: wh_2", "name: alerts", "kind: slack", "url: https://hooks.slack.com/services/T0001/B0002/***",
                "events: *", "state: disabled", "stateReason: disabled by an operator", "secrets: ", "headers: ",
                "allowPrivateNetwork: false", "hubSignature: false", "createdAt: 2026-11-24T10:00:00Z",
                "updatedAt: 2026-11-24T10:05:00Z",
            ])
    }
}
