import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RelayCore
import RelayTestSupport
import Testing

/// The webhook editor's form through the router: every step but Save leaves the store as it was,
/// Save goes through the admin API's rules, and the editor's posts need the page's own origin and
/// form token like every other change.
@Suite struct EditorRouteTests {
    static let spec = WebhookSpec(
        name: "siem", url: "https://siem.example.com/in", events: [try! EventTypePattern(parsing: "*")])

    /// The editor's fields as the page renders them for `webhook`, with `changes` in place of the
    /// members of the same name, and the button pressed.
    static func form(_ webhook: WebhookResource, _ changes: [(String, String)] = [], action: String)
        -> [(String, String)]
    {
        let rendered =
            [
                ("version", webhook.updatedAt), ("name", webhook.name), ("url", webhook.url), ("format", "json"),
                ("enabled", "on"), ("authorization_change", "keep"),
            ]
            + webhook.events.map { ("event", $0) } + webhook.secrets.indices.map { ("kept_secret", String($0)) }
        let changed = Set(changes.map(\.0))
        return rendered.filter { !changed.contains($0.0) } + changes + [("action", action)]
    }

    @Test func stepsChangeOnlyTheDraftAndSaveStoresItThroughTheAPIsRules() async throws {
        try await SettingsPageTests.withPage(webhooks: [Self.spec]) { browser, admin in
            var browser = browser
            try await browser.signIn()
            let webhook = try #require(try await admin.webhooks().first)
            let editor = String(buffer: try await browser.get("/ui/webhooks/\(webhook.id)").body)
            #expect(editor.contains(#"value="\#(webhook.updatedAt)""#) && editor.contains("Set Authorization Header"))

            let added = try await browser.post(
                "/ui/webhooks/\(webhook.id)",
                pairs: Self.form(webhook, [("secret", "a-new-secret-value")], action: "add-secret"))
            #expect(added.status == .ok)
            let page = String(buffer: added.body)
            #expect(page.contains(#"name="added_secret" value="a-new-secret-value""#))
            #expect(page.contains("1 of 10 secrets"))
            #expect(try await admin.webhooks().first?.secrets == [], "a step stores nothing")

            let refused = try await browser.post(
                "/ui/webhooks/\(webhook.id)",
                pairs: Self.form(webhook, [("url", "http://siem.example.com/in")], action: "save"))
            #expect(refused.status == .unprocessableContent)
            #expect(String(buffer: refused.body).contains(#"id="url-error""#))
            #expect(try await admin.webhooks().first?.url == webhook.url, "a refused Save stores nothing")

            let saved = try await browser.post(
                "/ui/webhooks/\(webhook.id)",
                pairs: Self.form(
                    webhook,
                    [("added_secret", "a-new-secret-value"), ("header_name", "X-Team"), ("header_value", "blue")],
                    action: "save"))
            #expect(saved.status == .seeOther)
            let stored = try #require(try await admin.webhooks().first)
            #expect(stored.secrets == ["a-n…"])
            #expect(stored.headers == ["X-Team": "blue"])

            let stale = try await browser.post("/ui/webhooks/\(webhook.id)", pairs: Self.form(webhook, action: "save"))
            #expect(stale.status == .conflict, "the editor opened before that Save is refused")
            #expect(try await admin.webhooks().first?.secrets == ["a-n…"])
        }
    }

    @Test func resumingInTheEditorDoesNotLetSaveOverwriteAChangeMadeElsewhere() async throws {
        var paused = Self.spec
        paused.enabled = false
        try await SettingsPageTests.withPage(webhooks: [paused]) { browser, admin in
            var browser = browser
            try await browser.signIn()
            let opened = try #require(try await admin.webhooks().first)
            try await Task.sleep(for: .milliseconds(2))  // a later updatedAt for the change below
            let rename = try await browser.client.executeRequest(
                uri: "/v1/webhooks/\(opened.id)", method: .patch,
                headers: [.authorization: "Bearer \(SettingsPageTests.adminToken)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"name":"renamed elsewhere"}"#))
            #expect(rename.status == .ok)
            let resumed = try await browser.post(
                "/ui/webhooks/\(opened.id)", pairs: Self.form(opened, [("enabled", "")], action: "resume"))
            #expect(resumed.status == .ok)
            let page = String(buffer: resumed.body)
            let version = try #require(page.firstMatch(of: /name="version" value="([^"]+)"/).map { String($0.1) })
            #expect(version == opened.updatedAt, "the draft still describes the webhook as it was opened")
            let save = try await browser.post(
                "/ui/webhooks/\(opened.id)", pairs: Self.form(opened, [("version", version)], action: "save"))
            #expect(save.status == .conflict)
            #expect(try await admin.webhooks().first?.name == "renamed elsewhere")
        }
    }

    @Test func editorPostsNeedTheFormTokenAndThePagesOwnOrigin() async throws {
        try await SettingsPageTests.withPage(webhooks: [Self.spec]) { browser, admin in
            var browser = browser
            try await browser.signIn()
            let webhook = try #require(try await admin.webhooks().first)
            let rename = Self.form(webhook, [("name", "renamed")], action: "save")
            let path = "/ui/webhooks/\(webhook.id)"
            #expect(try await browser.post(path, pairs: rename, csrf: false).status == .forbidden)
            let nullOrigin: HTTPFields = [HTTPField.Name("Origin")!: "null"]
            #expect(try await browser.post(path, pairs: rename, extra: nullOrigin).status == .forbidden)
            #expect(try await admin.webhooks().first?.name == "siem")
            // Chromium's own posts under Referrer-Policy: no-referrer: Origin null, Sec-Fetch-Site same-origin.
            var sameOrigin = nullOrigin
            sameOrigin[HTTPField.Name("Sec-Fetch-Site")!] = "same-origin"
            #expect(try await browser.post(path, pairs: rename, extra: sameOrigin).status == .seeOther)
            #expect(try await admin.webhooks().first?.name == "renamed")
        }
    }

    @Test func theLiveDeliveriesStreamNeedsASession() async throws {
        try await SettingsPageTests.withPage { browser, _ in
            let stream = try await browser.get("/ui/deliveries/stream")
            #expect(stream.status == .unauthorized)
        }
    }
}
