import Foundation
import RelayCore
import Testing

/// SPEC §13: the relay's own audit events — their JSON, who they name, and the fields a change
/// lists (names, never values).
@Suite("RelayAuditEvent")
struct RelayAuditEventTests {
    private static let now: Int64 = 1_795_514_400_123

    private static func webhook() -> Webhook {
        Webhook(
            id: "wh_1", name: "SIEM \"prod\"", kind: .custom, url: "https://siem.example.com/in",
            events: [.everything], secrets: ["whsec_one"], authorization: "Bearer sekrit", createdAt: 0, updatedAt: 0)
    }

    private static func text(_ event: RelayAuditEvent) -> String {
        String(decoding: event.stored(at: now, id: "evt_TEST").body, as: UTF8.self)
    }

    @Test("A token's change: members in order, the client's address, the changed fields' names")
    func tokenChange() {
        let origin = ChangeOrigin(actor: .token(fingerprint: "0123456789ab"), clientAddress: "203.0.113.7")
        let event = RelayAuditEvent(
            .webhookUpdated, by: origin, target: .webhook(Self.webhook()), changes: ["events", "secrets"])
        let stored = event.stored(at: Self.now, id: "evt_TEST")
        #expect(stored.id == "evt_TEST")
        #expect(stored.type == "auditrelay.webhook.updated")
        #expect(stored.occurredAt == Self.now)
        #expect(
            Self.text(event)
                == #"{"id":"evt_TEST","type":"auditrelay.webhook.updated","time":"2026-11-24T10:00:00.123Z","#
                + #""source":"auditrelay","actor":{"kind":"token","id":"0123456789ab"},"#
                + #""target":{"kind":"webhook","id":"wh_1","name":"SIEM \"prod\""},"changes":["events","secrets"],"#
                + #""client":{"address":"203.0.113.7"}}"#)
    }

    @Test(
        "Each kind of actor",
        arguments: [
            (ChangeOrigin.Actor.session(fingerprint: "abcdefabcdef"), #"{"kind":"session","id":"abcdefabcdef"}"#),
            (.relay, #"{"kind":"relay"}"#), (.config, #"{"kind":"config"}"#), (.anonymous, #"{"kind":"anonymous"}"#),
        ])
    func actors(actor: ChangeOrigin.Actor, json: String) {
        let event = RelayAuditEvent(.signedIn, by: ChangeOrigin(actor: actor), target: .session)
        let text = Self.text(event)
        #expect(text.contains(#""actor":\#(json),"target":{"kind":"session"},"changes":[]}"#), "\(text)")
        #expect(!text.contains("client"))
    }

    @Test("The relay's pause carries its reason; a source's status change its from and to")
    func reasonAndStatus() throws {
        let paused = RelayAuditEvent(
            .webhookPaused, by: .relay, target: .webhook(Self.webhook()), changes: ["state"],
            reason: "destination refused: HTTP 401")
        #expect(Self.text(paused).hasSuffix(#""changes":["state"],"reason":"destination refused: HTTP 401"}"#))

        var source = Source(name: "acme", provider: .github, secret: "whsec_old", now: 0)
        _ = source.secrets.verified(sender: "acme/api", secret: "whsec_old", now: 1)
        source.secrets.rotate(to: "whsec_new", grace: 10, now: 2)
        let before = source.secrets.status
        #expect(RelayAuditEvent.statusChange(of: source, from: before) == nil, "nothing changed")
        source.secrets.refresh(now: 100)
        let changed = try #require(RelayAuditEvent.statusChange(of: source, from: before))
        #expect(changed.type == .sourceStatusChanged && changed.origin == .relay)
        let text = Self.text(changed)
        #expect(text.contains(#""target":{"kind":"source","id":"\#(source.id)","name":"acme"},"changes":["status"]"#))
        #expect(text.contains(#""status":{"from":"CONFIGURING","to":"FAILED"}"#), "\(text)")
        #expect(text.contains(#""reason":"the grace period ended with acme/api still signing"#), "\(text)")
        #expect(!text.contains("whsec_"))
    }

    @Test("A resume is recorded when the webhook was paused or disabled, and not when it was active")
    func resumption() throws {
        let origin = ChangeOrigin(actor: .token(fingerprint: "0123456789ab"), clientAddress: "127.0.0.1")
        for before in [WebhookState.paused, .disabled] {
            let record = try #require(RelayAuditEvent.resumption(of: Self.webhook(), from: before, by: origin))
            #expect(record.type == .webhookResumed && record.origin == origin && record.changes == ["state"])
        }
        #expect(RelayAuditEvent.resumption(of: Self.webhook(), from: .active, by: origin) == nil)
    }

    @Test("Every stored event is one JSON object that names no value it was not given")
    func everyTypeIsJSON() throws {
        for type in RelayEventType.allCases {
            let event = RelayAuditEvent(type, by: .config, target: .webhook(Self.webhook()), changes: ["url"])
            let object = try #require(
                try JSONSerialization.jsonObject(with: event.stored(at: Self.now).body) as? [String: Any])
            #expect(object["type"] as? String == type.rawValue)
            #expect((object["id"] as? String)?.hasPrefix("evt_") == true)
            let text = Self.text(event)
            #expect(!text.contains("siem.example.com") && !text.contains("sekrit") && !text.contains("whsec_"))
        }
        #expect(Set(RelayEventType.allCases.map(\.rawValue)).count == 20)
        #expect(RelayEventType.allCases.allSatisfy { $0.rawValue.hasPrefix("auditrelay.") && !$0.description.isEmpty })
    }

    @Test("A webhook's changed fields are the API's names, in its order, and none when nothing changed")
    func webhookFields() throws {
        let before = Self.webhook()
        #expect(before.changedFields(since: before).isEmpty)
        var after = before
        after.secrets.append("whsec_two")
        after.events = [try EventTypePattern(parsing: "user.*")]
        after.state = .disabled
        after.authorization = nil
        after.headers = ["X-Tenant": "acme"]
        #expect(after.changedFields(since: before) == ["events", "secrets", "authorization", "headers", "enabled"])
        var renamed = before
        renamed.name = "SIEM"
        renamed.url = "https://other.example.com/in"
        renamed.updatedAt = 99
        #expect(renamed.changedFields(since: before) == ["name", "url"], "times are not fields an operator changes")
    }

    @Test("A source's changed fields: name, secret and status")
    func sourceFields() {
        let before = Source(name: "acme", provider: .jira, secret: "whsec_old", now: 0)
        var after = before
        after.name = "acme Jira"
        #expect(after.changedFields(since: before) == ["name"])
        after.secrets.rotate(to: "whsec_new", grace: 0, now: 1)
        #expect(after.changedFields(since: before) == ["name", "secret"])
    }

    @Test("A token's fingerprint is the first 12 hex digits of its SHA-256")
    func fingerprint() {
        // printf 'admin-token' | sha256sum
        #expect(ChangeOrigin.fingerprint(ofToken: "admin-token") == "10a4c7c9fc52")
        #expect(WebSession(token: "admin-token", now: 0).tokenFingerprint == "10a4c7c9fc52")
    }
}
