import Foundation
import RelayCore
import Testing

@testable import RelayStore

/// Webhooks declared in the configuration file, applied by name.
@Suite("AuditStore applyDeclared")
struct DeclaredWebhookTests {
    @Test("creates webhooks by name with every field of the spec")
    func createsByName() async throws {
        try await withTemporaryStore { store, _ in
            var spec = try webhookSpec("splunk", events: ["repo.*", "user.login"], secrets: ["whsec_abc"])
            spec.format = .splunkHEC
            spec.headers = ["X-Tenant": "acme"]
            spec.hubSignature = true
            let changes = try await store.applyDeclared([spec, try webhookSpec("slack", events: ["*"])], now: 10)
            #expect(changes.created == ["splunk", "slack"])
            #expect(changes.updated.isEmpty && changes.disabled.isEmpty)

            let webhooks = try await store.webhooks()
            #expect(webhooks.map(\.name) == ["slack", "splunk"])
            let splunk = try #require(webhooks.last)
            #expect(splunk.id.hasPrefix("wh_"))
            #expect(splunk == spec.makeWebhook(id: splunk.id, now: 10))
            #expect(splunk.state == .active && splunk.format == .splunkHEC && splunk.secrets == ["whsec_abc"])
            #expect(try await store.webhook(id: splunk.id) == splunk)
            #expect(try await store.webhook(id: "wh_missing") == nil)
        }
    }

    @Test("updates changed fields, keeping the id, the queue and the sequence")
    func updatesKeepIdentityAndSequence() async throws {
        try await withTemporaryStore { store, _ in
            let original = try webhookSpec("sink", events: ["*"])
            let id = try await store.declare([original], now: 10)["sink"]
            try await store.ingest([sampleEvent("e1"), sampleEvent("e2")])

            var changed = original
            changed.url = "https://new.example.com/hook"
            changed.authorization = "Bearer token"
            let changes = try await store.applyDeclared([changed], now: 20)
            #expect(changes.updated == ["sink"])
            #expect(changes.created.isEmpty)

            let webhook = try #require(try await store.webhook(id: id))
            #expect(webhook.url == "https://new.example.com/hook")
            #expect(webhook.authorization == "Bearer token")
            #expect(webhook.createdAt == 10)
            #expect(webhook.updatedAt == 20)
            #expect(try await store.webhooks().count == 1)

            // The file's change is recorded (SPEC §13) by name of field, never by value.
            let records = try await store.ownEvents()
            #expect(
                records.map { $0["type"] as? String } == ["auditrelay.webhook.created", "auditrelay.webhook.updated"])
            #expect(records[1]["actor"] as? [String: String] == ["kind": "config"])
            #expect(records[1]["changes"] as? [String] == ["url", "authorization"])
            let written = String(decoding: try JSONSerialization.data(withJSONObject: records), as: UTF8.self)
            #expect(!written.contains("Bearer token") && !written.contains("new.example.com"))

            // The webhook takes `*`: the record of its update is queued for it too, in sequence.
            try await store.ingest([sampleEvent("e3")])
            let sequences = try await store.claimAll(id, now: WallClock.nowMillis()).map(\.sequence)
            #expect(sequences == [1, 2, 3, 4])
        }
    }

    @Test("a webhook declared in the same start gets the creation records of those declared after it")
    func creationRecordsReachWebhooksCreatedEarlierInTheList() async throws {
        try await withTemporaryStore { store, _ in
            let ids = try await store.declare(
                [try webhookSpec("first", events: ["auditrelay.*"]), try webhookSpec("second", events: ["*"])], now: 10)
            let toFirst = try await store.claimAll(ids["first"], now: WallClock.nowMillis())
            #expect(toFirst.map(\.event.type) == ["auditrelay.webhook.created"])
            let body = try #require(toFirst.first).event.body
            let record = try JSONSerialization.jsonObject(with: body) as? [String: Any]
            #expect((record?["target"] as? [String: Any])?["name"] as? String == "second")
            // A webhook is not told of its own creation, nor of those before it existed.
            #expect(try await store.claimAll(ids["second"], now: WallClock.nowMillis()).isEmpty)
        }
    }

    @Test("leaves unchanged webhooks alone")
    func unchangedIsLeftAlone() async throws {
        try await withTemporaryStore { store, _ in
            let spec = try webhookSpec("sink", events: ["user.login"], secrets: ["s1"], authorization: "Basic abc")
            let id = try await store.declare([spec], now: 10)["sink"]
            let before = try await store.webhook(id: id)
            let changes = try await store.applyDeclared([spec], now: 99)
            #expect(changes == DeclaredWebhookChanges())
            #expect(try await store.webhook(id: id) == before)
            #expect(before?.updatedAt == 10)
        }
    }

    @Test("a declared webhook gone from the list is disabled, never deleted, and its queue kept")
    func removedIsDisabled() async throws {
        try await withTemporaryStore { store, _ in
            let ids = try await store.declare([
                try webhookSpec("keep", events: ["*"]), try webhookSpec("gone", events: ["*"]),
            ])
            try await store.ingest([sampleEvent("e1")])
            let changes = try await store.applyDeclared([try webhookSpec("keep", events: ["*"])], now: 50)
            #expect(changes.disabled == ["gone"])

            let gone = try #require(try await store.webhook(id: ids["gone"]))
            #expect(gone.state == .disabled)
            #expect(gone.stateReason != nil)
            // e1 for both, and for "keep" the records of the creation of "gone" (declared after it)
            // and of its disabling (the disabled one takes none).
            let record = try #require(try await store.ownEvents().last)
            #expect(record["type"] as? String == "auditrelay.webhook.disabled")
            #expect(record["target"] as? [String: String] == ["kind": "webhook", "id": gone.id, "name": "gone"])
            #expect(store.pendingMessageCount == 4)
            let queued = try await store.messageStatuses(eventID: "e1").filter { $0.webhookID == gone.id }
            #expect(queued.map(\.status) == [.pending])
            #expect(try await store.claimAll(gone.id).isEmpty, "a disabled webhook's messages are not claimed")
            try await store.ingest([sampleEvent("e2")])
            #expect(store.pendingMessageCount == 5)

            let again = try await store.applyDeclared([try webhookSpec("keep", events: ["*"])], now: 60)
            #expect(again == DeclaredWebhookChanges())
        }
    }

    @Test("a webhook declared again after being removed from the file is active again")
    func redeclaredIsActiveAgain() async throws {
        try await withTemporaryStore { store, _ in
            let spec = try webhookSpec("back", events: ["*"])
            let id = try await store.declare([spec])["back"]
            try await store.applyDeclared([], now: 20)
            #expect(try await store.webhook(id: id)?.state == .disabled)

            try await store.applyDeclared([spec], now: 30)
            let webhook = try #require(try await store.webhook(id: id))
            #expect(webhook.state == .active)
            #expect(webhook.stateReason == nil)
        }
    }

    @Test("a paused webhook stays paused on update unless the spec says enabled: false")
    func pausedStateIsKept() async throws {
        try await withTemporaryStore { store, _ in
            let spec = try webhookSpec("sink", events: ["*"])
            let id = try await store.declare([spec])["sink"]
            try await store.ingest([sampleEvent("e1")])
            let message = try #require(try await store.claimAll(id).first)
            let pause = AttemptDecision(outcome: .paused, nextAttemptAt: Times.later, reason: "destination refused")
            try await store.record([attemptRecord(message, pause, httpStatus: 403)])

            var changed = spec
            changed.url = "https://other.example.com/hook"
            try await store.applyDeclared([changed], now: Times.later)
            let stillPaused = try #require(try await store.webhook(id: id))
            #expect(stillPaused.state == .paused)
            #expect(stillPaused.stateReason == "destination refused")
            #expect(stillPaused.url == "https://other.example.com/hook")

            changed.enabled = false
            try await store.applyDeclared([changed], now: Times.later + 1)
            let disabled = try #require(try await store.webhook(id: id))
            #expect(disabled.state == .disabled)
            #expect(disabled.stateReason == WebhookSpec.disabledInFileReason)

            changed.enabled = true
            try await store.applyDeclared([changed], now: Times.later + 2)
            #expect(try await store.webhook(id: id)?.state == .active)
            let records = try await store.ownEvents().map { record in
                "\(record["type"] as? String ?? "") \((record["changes"] as? [String] ?? []).joined(separator: ","))"
            }
            #expect(
                records == [
                    "auditrelay.webhook.created ", "auditrelay.webhook.paused state", "auditrelay.webhook.updated url",
                    "auditrelay.webhook.updated enabled", "auditrelay.webhook.updated enabled",
                ])
            // e1, and the records made while the webhook was not disabled.
            #expect(store.pendingMessageCount == 4)
        }
    }
}
