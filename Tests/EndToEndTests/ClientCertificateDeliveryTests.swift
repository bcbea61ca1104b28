import Foundation
import NIOHTTP1
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

/// A custom webhook's TLS client certificate (SPEC §3.2) through the API, the CLI and a delivery
/// to a destination that requires one; the key is never read back, logged or recorded.
@Suite struct ClientCertificateDeliveryTests {
    /// Lines of the key's PEM body: none may appear anywhere but in the handshake's signature.
    private static func keyLines(_ pair: TestClientCA.Issued) -> [Substring] {
        pair.keyPEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }
    }

    /// A create body for a custom webhook at `url` that presents `certificate` with `key`.
    private static func qradar(
        url: String = "https://qradar.example.com/in", certificate: String, key: String
    ) -> WebhookRequest {
        // Not `*`: the record of a change (SPEC §13) would come before the next user event.
        var request = WebhookRequest(name: "qradar", url: url, events: ["user.*"])
        request.clientCertificate = .set(certificate)
        request.clientKey = key
        return request
    }

    @Test func aWebhookPresentsItsCertificateAndNeverShowsItsKey() async throws {
        let ca = try TestClientCA()
        let pair = try ca.issue()
        let logs = LogCapture()
        try await withReceivingRelay(clientCA: ca.certificatePEM, webhooks: { _ in [] }, logs: logs) {
            relay, receiver in
            let body = try jsonText(
                Self.qradar(url: receiver.url("/qradar"), certificate: pair.certificatePEM, key: pair.keyPEM))
            let created = try await relay.request(method: .POST, path: "/v1/webhooks", body: body)
            #expect(created.status == 201, "\(created.body)")
            let webhook = try created.decoded(WebhookResource.self)
            let shown = try #require(webhook.clientCertificate ?? nil)
            #expect(shown.subject == "CN=relay.test,O=Acme")
            #expect(isRFC3339(shown.notValidAfter))
            #expect(shown.fingerprint.count == 64)
            #expect(created.members["clientKey"] == nil)
            let id = webhook.id

            #expect(try await relay.postEvents(#"{"type":"user.login","id":"mtls-1"}"#).status == 202)
            _ = try await receiver.waitForRequests(1, path: "/qradar")
            let store = try relay.openStore()
            #expect(try await eventually { try await store.attempts().first?.outcome == .delivered })

            // Without the certificate the destination refuses the handshake.
            let removed = try await relay.request(
                method: .PATCH, path: "/v1/webhooks/\(id)", body: #"{"clientCertificate":null}"#)
            #expect(removed.status == 200, "\(removed.body)")
            #expect(removed.members["clientCertificate"] == .null)
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"mtls-2"}"#).status == 202)
            #expect(try await eventually { try await store.attempts().count >= 2 })
            // Its first attempt: by the time it is read, the 200 ms retries may have followed.
            let refused = try #require(try await store.attempts(eventID: "mtls-2").last)
            #expect(refused.attempt == 1)
            #expect(refused.outcome == .retrying)
            #expect(receiver.requests(path: "/qradar").count == 1)

            let reads = [
                created.body, try await relay.request(method: .GET, path: "/v1/webhooks/\(id)").body,
                try await relay.request(method: .GET, path: "/v1/webhooks").body,
                try await relay.request(method: .GET, path: "/v1/deliveries").body,
            ]
            let recorded = try await store.attempts().map { "\($0)" }.joined()
            for line in Self.keyLines(pair) {
                #expect(!reads.contains { $0.contains(line) }, "an API read shows the key")
                #expect(!logs.text.contains(line), "the logs hold the key")
                #expect(!recorded.contains(line), "the delivery log holds the key")
            }
        }
    }

    @Test func aMismatchedKeyOrAnExpiredCertificateIsA422AndChangesNothing() async throws {
        let ca = try TestClientCA()
        let pair = try ca.issue()
        let other = try ca.issue(commonName: "other.test")
        let expired = try ca.issue(notValidAfter: Date() - 3600)
        try await withAdminRelay { relay in
            let mismatched = try await relay.request(
                method: .POST, path: "/v1/webhooks",
                body: try jsonText(Self.qradar(certificate: pair.certificatePEM, key: other.keyPEM)))
            #expect(expectInvalid(mismatched, field: "clientKey") == "does not match clientCertificate")
            let outdated = try await relay.request(
                method: .POST, path: "/v1/webhooks",
                body: try jsonText(Self.qradar(certificate: expired.certificatePEM, key: expired.keyPEM)))
            #expect(expectInvalid(outdated, field: "clientCertificate")?.hasPrefix("expired on ") == true)
            #expect(try await relay.webhookList().isEmpty)

            let createReply = try await relay.request(
                method: .POST, path: "/v1/webhooks",
                body: try jsonText(Self.qradar(certificate: pair.certificatePEM, key: pair.keyPEM)))
            try #require(createReply.status == 201, "\(createReply.body)")
            let created = try createReply.decoded(WebhookResource.self)
            var patch = WebhookRequest()
            patch.clientCertificate = .set(other.certificatePEM)
            let refused = try await relay.request(
                method: .PATCH, path: "/v1/webhooks/\(created.id)", body: try jsonText(patch))
            expectInvalid(refused, field: "clientKey")
            #expect(stable(try await relay.webhook(created.id)) == stable(created))
            for body in [createReply.body, refused.body] {
                #expect(Self.keyLines(pair).allSatisfy { !body.contains($0) })
            }
        }
    }

    @Test func theCommandLineReadsThePairFromFiles() async throws {
        let pair = try TestClientCA().issue()
        let directory = try TestFixtures.temporaryDirectory()
        let certificateFile = directory.appendingPathComponent("client.pem").path
        let keyFile = directory.appendingPathComponent("client.key").path
        try pair.certificatePEM.write(toFile: certificateFile, atomically: true, encoding: .utf8)
        try pair.keyPEM.write(toFile: keyFile, atomically: true, encoding: .utf8)
        try await withRelay(testConfiguration(directory: directory, webhooks: [])) { relay in
            let admin = ["--server", "http://127.0.0.1:\(relay.port)", "--token", "test-admin-token"]
            try await runCommand(
                ["webhooks", "add"] + admin + [
                    "--name", "qradar", "--url", "https://qradar.example.com/in", "--event", "*",
                    "--client-certificate", certificateFile, "--client-key", keyFile,
                ])
            let store = try relay.openStore()
            let created = try #require(try await store.webhooks().first)
            #expect(created.clientCertificate?.keyPEM == pair.keyPEM)

            let missing = await commandFailure(
                ["webhooks", "update", created.id] + admin + ["--client-key", directory.path + "/absent.key"])
            #expect(missing?.contains("--client-key: cannot read") == true, "\(missing ?? "succeeded")")
            try await runCommand(["webhooks", "update", created.id] + admin + ["--clear-client-certificate"])
            #expect(try await store.webhook(id: created.id)?.clientCertificate == nil)
        }
    }
}
