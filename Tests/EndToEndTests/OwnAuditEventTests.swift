import Foundation
import NIOHTTP1
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

/// SPEC §13 end to end: every change made through the API or the CLI, the relay's own pauses and
/// the configuration file's changes reach a webhook subscribed to `auditrelay.*` as events with
/// the right type, actor, target and changed fields — and no secret, token, authorization value
/// or URL in any byte of them.
@Suite struct OwnAuditEventTests {
    /// The admin token's fingerprint, as the events name it.
    private static let tokenActor = ["kind": "token", "id": ChangeOrigin.fingerprint(ofToken: testAdminToken)]

    /// What a webhook subscribed to `auditrelay.*` received, in sequence order, as JSON objects;
    /// waits for `count` of them.
    private static func records(_ receiver: TestReceiver, path: String = "/audit", count: Int) async throws
        -> [[String: Any]]
    {
        let received = try await receiver.waitForRequests(count, path: path)
        return try received.sorted {
            Int($0.headers["x-auditrelay-sequence"] ?? "") ?? 0 < Int($1.headers["x-auditrelay-sequence"] ?? "") ?? 0
        }.map { try #require(try JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any]) }
    }

    /// `type changes…` for each record, to compare a whole sequence at once.
    private static func summary(_ records: [[String: Any]]) -> [String] {
        records.map { record in
            let changes = (record["changes"] as? [String] ?? []).joined(separator: ",")
            return "\(record["type"] as? String ?? "?") \(changes)".trimmingCharacters(in: .whitespaces)
        }
    }

    /// Fails when any of `secrets` is in any byte the audit webhook received.
    private static func expectNoneOf(_ secrets: [String], in receiver: TestReceiver) {
        for request in receiver.requests(path: "/audit") {
            for secret in secrets { #expect(!request.text.contains(secret), "\(secret) leaked in \(request.text)") }
        }
    }

    private static func auditHook(_ receiver: TestReceiver) throws -> WebhookSpec {
        try hook("audit", url: receiver.url("/audit"), events: ["auditrelay.*"])
    }

    @Test func everyWebhookChangeThroughTheAPIIsRecordedByTheTokenWithItsFields() async throws {
        try await withReceivingRelay(webhooks: { [try Self.auditHook($0)] }) { relay, receiver in
            let secret = "whsec_" + String(repeating: "s", count: 32)
            let created = try await relay.createWebhook(
                webhookBody("SIEM", extra: #""secrets":["\#(secret)"]"#))
            let path = "/v1/webhooks/\(created.id)"
            #expect(
                try await relay.request(method: .PATCH, path: path, body: #"{"events":["repo.*"],"secrets":[]}"#)
                    .status == 200)
            // The same values again: nothing changes, nothing is recorded.
            #expect(try await relay.request(method: .PATCH, path: path, body: #"{"events":["repo.*"]}"#).status == 200)
            // Refused by validation: nothing changes, nothing is recorded.
            #expect(
                try await relay.request(method: .PATCH, path: path, body: #"{"url":"http://plain.example.com"}"#)
                    .status == 422)
            let added = try await relay.request(method: .POST, path: path + "/secrets")
            #expect(added.status == 201)
            let generated = try #require(
                added.members["secret"].flatMap { if case .string(let s) = $0 { s } else { nil } })
            #expect(try await relay.request(method: .DELETE, path: path + "/secrets/0").status == 200)
            #expect(
                try await relay.request(
                    method: .PUT, path: path + "/authorization", body: #"{"authorization":"Splunk hec-token-123"}"#
                ).status == 200)
            #expect(try await relay.request(method: .DELETE, path: path + "/authorization").status == 200)
            // Resumed while active: only waiting retries become due, no field changes, nothing is recorded.
            #expect(try await relay.request(method: .POST, path: path + "/resume").status == 200)
            #expect(try await relay.request(method: .DELETE, path: path).status == 204)

            let records = try await Self.records(receiver, count: 7)
            #expect(
                Self.summary(records) == [
                    "auditrelay.webhook.created", "auditrelay.webhook.updated events,secrets",
                    "auditrelay.webhook.secret_added secrets", "auditrelay.webhook.secret_removed secrets",
                    "auditrelay.webhook.authorization_set authorization",
                    "auditrelay.webhook.authorization_cleared authorization", "auditrelay.webhook.deleted",
                ])
            for record in records {
                #expect(record["actor"] as? [String: String] == Self.tokenActor)
                #expect(record["target"] as? [String: String] == ["kind": "webhook", "id": created.id, "name": "SIEM"])
                #expect(record["client"] as? [String: String] == ["address": "127.0.0.1"])
                #expect(record["source"] as? String == "auditrelay")
                #expect(isRFC3339(record["time"] as? String))
            }
            Self.expectNoneOf(
                [secret, generated, "hec-token-123", "siem.example.com", testAdminToken], in: receiver)
            // The deletion was the last record: had the refused or unchanged PATCH, or the resume,
            // made one, it would have come before it.
            #expect(receiver.requests(path: "/audit").count == 7)
        }
    }

    @Test func sourceChangesAreRecordedAndTheTokenNeverIs() async throws {
        try await withReceivingRelay(webhooks: { [try Self.auditHook($0)] }) { relay, receiver in
            let created = try await relay.request(
                method: .POST, path: "/v1/sources", body: #"{"name":"acme GitHub","provider":"github"}"#)
            #expect(created.status == 201)
            let source = try created.decoded(SourceResource.self)
            let path = "/v1/sources/\(source.id)"
            #expect(try await relay.request(method: .PATCH, path: path, body: #"{"name":"acme"}"#).status == 200)
            let rotated = try await relay.request(method: .POST, path: path + "/secret/rotate", body: "{}")
            let revealed = try await relay.request(method: .POST, path: path + "/secret/reveal")
            #expect(rotated.status == 200 && revealed.status == 200)
            #expect(try await relay.request(method: .DELETE, path: path).status == 204)

            let records = try await Self.records(receiver, count: 5)
            #expect(
                Self.summary(records) == [
                    "auditrelay.source.created", "auditrelay.source.updated name",
                    "auditrelay.source.secret_rotated secret,status", "auditrelay.source.secret_revealed",
                    "auditrelay.source.deleted",
                ])
            #expect(records.allSatisfy { $0["actor"] as? [String: String] == Self.tokenActor })
            #expect(
                records[0]["target"] as? [String: String] == ["kind": "source", "id": source.id, "name": "acme GitHub"])
            #expect(records[4]["target"] as? [String: String] == ["kind": "source", "id": source.id, "name": "acme"])
            let tokens = [source.secret ?? nil, try rotated.decoded(SourceResource.self).secret ?? nil].compactMap {
                $0
            }
            #expect(tokens.count == 2)
            Self.expectNoneOf(tokens + ["whsec_"], in: receiver)
        }
    }

    @Test(
        "A pause or a disable the relay decides is recorded by the relay with its reason",
        arguments: [
            (401, "auditrelay.webhook.paused", "destination refused: HTTP 401"),
            (410, "auditrelay.webhook.disabled", "destination answered 410 Gone"),
        ])
    func theRelaysOwnDecision(status: Int, type: String, reason: String) async throws {
        try await withReceivingRelay(
            respond: { request in request.path == "/locked" ? ReceiverReply(status: status) : ReceiverReply() },
            webhooks: { [try Self.auditHook($0), try hook("locked", url: $0.url("/locked"), events: ["user.*"])] }
        ) { relay, receiver in
            #expect(try await relay.postEvents(#"{"type":"user.login"}"#).status == 202)
            // First the file's creation of "locked" (declared after the audit webhook), then the stop.
            let first = try await Self.records(receiver, count: 2)
            #expect(Self.summary(first) == ["auditrelay.webhook.created", type + " state"])
            #expect(first[0]["actor"] as? [String: String] == ["kind": "config"])
            let record = first[1]
            #expect(record["type"] as? String == type)
            #expect(record["actor"] as? [String: String] == ["kind": "relay"])
            #expect((record["target"] as? [String: String])?["name"] == "locked")
            #expect(record["changes"] as? [String] == ["state"])
            #expect(record["reason"] as? String == reason)
            #expect(record["client"] == nil, "the relay's own decision came from no client")

            let id = try #require((record["target"] as? [String: String])?["id"])
            #expect(try await relay.request(method: .POST, path: "/v1/webhooks/\(id)/resume").status == 200)
            // The resume is recorded; the message it made due meets the same answer, and the relay
            // stops the webhook again (in commit order, whatever order the records arrive in).
            let records = try await Self.records(receiver, count: 4).dropFirst()
            let expected = [type + " state", "auditrelay.webhook.resumed state", type + " state"]
            #expect(Self.summary(Array(records)) == expected)
            #expect(records[2]["actor"] as? [String: String] == Self.tokenActor)
            #expect((records[2]["target"] as? [String: String])?["name"] == "locked")
        }
    }

    @Test func theConfigurationFilesChangesAtStartAreRecordedByTheFile() async throws {
        try await TestReceiver.with { receiver in
            let directory = try TestFixtures.temporaryDirectory()
            let declared = try hook("declared", url: receiver.url("/declared"), events: ["user.*"])
            var configuration = testConfiguration(directory: directory, webhooks: [try Self.auditHook(receiver)])
            try await withRelay(configuration) { _ in }
            configuration.webhooks.append(declared)
            try await withRelay(configuration) { _ in
                let created = try #require(try await Self.records(receiver, count: 1).first)
                #expect(created["type"] as? String == "auditrelay.webhook.created")
                #expect(created["actor"] as? [String: String] == ["kind": "config"])
                #expect((created["target"] as? [String: String])?["name"] == "declared")
            }
            configuration.webhooks[1].url = receiver.url("/moved")
            configuration.webhooks[1].authorization = "Bearer from-the-file"
            try await withRelay(configuration) { _ in
                let updated = try await Self.records(receiver, count: 2)[1]
                #expect(Self.summary([updated]) == ["auditrelay.webhook.updated url,authorization"])
                #expect(updated["actor"] as? [String: String] == ["kind": "config"])
            }
            Self.expectNoneOf(["from-the-file", "/moved"], in: receiver)
        }
    }

    @Test func aChangeMadeWithTheCLIIsRecordedByItsToken() async throws {
        let executable = try #require(auditrelayExecutable, "the auditrelay executable is built beside the tests")
        try await withReceivingRelay(webhooks: { [try Self.auditHook($0)] }) { relay, receiver in
            let added = try await runProcess(
                executable,
                [
                    "webhooks", "add", "--name", "from the CLI", "--url", "https://siem.example.com/cli", "--event",
                    "user.*", "--authorization", "Bearer cli-secret", "--server", "http://127.0.0.1:\(relay.port)",
                    "--token", testAdminToken,
                ])
            #expect(added.status == 0, "\(added.stderr)")
            let record = try #require(try await Self.records(receiver, count: 1).first)
            #expect(record["type"] as? String == "auditrelay.webhook.created")
            #expect(record["actor"] as? [String: String] == Self.tokenActor)
            #expect((record["target"] as? [String: String])?["name"] == "from the CLI")
            Self.expectNoneOf(["cli-secret", "siem.example.com"], in: receiver)
        }
    }
}
