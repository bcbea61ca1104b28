import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import RelayCore
import RelayServer
import RelayTestSupport
import RelayWeb
import Testing

/// The settings page through the application's router (no socket): sign-in, the session cookie,
/// the security headers, CSRF, and the webhooks table and its forms, with what the admin API then
/// holds checked by state.
@Suite struct SettingsPageTests {
    static let adminToken = "page-admin-token"

    /// A signed-in browser as the router sees it: the cookie and the form token.
    struct Browser {
        let client: any TestClientProtocol
        var cookie: String?
        var formToken: String?

        func get(_ path: String) async throws -> TestResponse {
            var headers: HTTPFields = [:]
            if let cookie { headers[.cookie] = cookie }
            return try await client.executeRequest(uri: path, method: .get, headers: headers, body: nil)
        }

        func post(_ path: String, _ form: [String: String], extra: HTTPFields = [:], csrf: Bool = true) async throws
            -> TestResponse
        {
            try await post(path, pairs: form.sorted { $0.key < $1.key }, extra: extra, csrf: csrf)
        }

        /// Posts the members in order (a name may repeat, as checkboxes and rows do).
        func post(_ path: String, pairs: [(String, String)], extra: HTTPFields = [:], csrf: Bool = true)
            async throws -> TestResponse
        {
            var members = pairs
            if csrf, let formToken { members.append(("_csrf", formToken)) }
            var headers = extra
            headers[.contentType] = "application/x-www-form-urlencoded"
            if let cookie { headers[.cookie] = cookie }
            let body = members.map { name, value in
                "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            }.joined(separator: "&")
            return try await client.executeRequest(
                uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
        }

        /// Signs in with `token`; keeps the cookie and the page's form token.
        mutating func signIn(_ token: String = SettingsPageTests.adminToken) async throws {
            let response = try await post("/ui/sign-in", ["token": token], csrf: false)
            #expect(response.status == .seeOther)
            let setCookie = try #require(response.headers[.setCookie])
            cookie = String(setCookie.split(separator: ";")[0])
            let page = String(buffer: try await get("/ui/").body)
            formToken = page.firstMatch(of: /name="_csrf" value="([^"]+)"/).map { String($0.1) }
        }
    }

    /// The application with the page, its configuration changed by `configure`, logging at trace
    /// level into `logs` when given.
    static func withPage(
        webhooks: [WebhookSpec] = [], configure: (inout RelayConfiguration) -> Void = { _ in }, logs: LogCapture? = nil,
        _ body: @Sendable (Browser, AdminProbe) async throws -> Void
    ) async throws {
        var configuration = RelayConfiguration()
        configuration.webhooks = webhooks
        configuration.delivery.trustedCAFile = TestFixtures.caFile
        configuration.delivery.allowPrivateNetworks = true
        configuration.delivery.retrySchedule = [RelayDuration(milliseconds: 200)]
        configuration.store.path = try TestFixtures.temporaryDirectory().appendingPathComponent("relay.sqlite").path
        configuration.auth.adminTokens = [adminToken]
        configuration.auth.ingestTokens = ["ingest"]
        configure(&configuration)
        var logger = logs?.logger() ?? Logger(label: "page-test")
        if logs == nil { logger.logLevel = .error }
        let app = try await buildApplication(
            configuration: configuration,
            options: ApplicationOptions(modules: [try SettingsPage(configuration: configuration)]), logger: logger)
        try await app.test(.router) { client in
            try await body(Browser(client: client), AdminProbe(client: client))
        }
    }

    /// What the admin API holds, read through it.
    struct AdminProbe {
        let client: any TestClientProtocol

        func webhooks() async throws -> [WebhookResource] {
            let response = try await client.executeRequest(
                uri: "/v1/webhooks", method: .get, headers: [.authorization: "Bearer \(SettingsPageTests.adminToken)"],
                body: nil)
            return try JSONDecoder().decode(WebhookList.self, from: Data(response.body.readableBytesView)).webhooks
        }
    }

    @Test func theRootRedirectsToThePageWhichAsksForATokenWithSafeHeaders() async throws {
        try await Self.withPage { browser, _ in
            let root = try await browser.get("/")
            #expect(root.status == .seeOther && root.headers[.location] == "/ui/")
            let page = try await browser.get("/ui/")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let policy = try #require(page.headers[.contentSecurityPolicy])
            #expect(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"))
            #expect(!policy.contains("unsafe-inline"))
            #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            #expect(page.headers[.cacheControl] == "no-store")
            let html = String(buffer: page.body)
            #expect(html.contains(#"<label for="token">Admin token</label>"#))
            #expect(!html.contains("<script>"), "no inline script")
            let script = try await browser.get("/ui/static/app.js")
            #expect(script.status == .ok && script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(
                String(buffer: script.body).contains("data-confirm") || String(buffer: script.body).contains("confirm"))
        }
    }

    @Test func aWrongTokenIsRefusedAndARightOneGivesAStrictHttpOnlyCookie() async throws {
        try await Self.withPage { browser, _ in
            let wrong = try await browser.post("/ui/sign-in", ["token": "not-it"], csrf: false)
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.setCookie] == nil)
            #expect(String(buffer: wrong.body).contains("That token was not accepted."))

            let right = try await browser.post("/ui/sign-in", ["token": Self.adminToken], csrf: false)
            #expect(right.status == .seeOther)
            let cookie = try #require(right.headers[.setCookie])
            #expect(cookie.hasPrefix("auditrelay-session="))
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] { #expect(cookie.contains(attribute)) }
            #expect(!cookie.contains(Self.adminToken), "the token is not in the cookie")
            var signedIn = browser
            signedIn.cookie = String(cookie.split(separator: ";")[0])
            let page = String(buffer: try await signedIn.get("/ui/").body)
            #expect(page.contains("<h1>Webhooks</h1>") && page.contains("Sign out"))
            #expect(!page.contains(Self.adminToken))
        }
    }

    @Test func signInsSignOutsAndChangesOnThePageAreRecordedByTheSession() async throws {
        try await TestReceiver.with { receiver in
            let audit = WebhookSpec(
                name: "audit", url: receiver.url("/audit"), events: [try EventTypePattern(parsing: "auditrelay.*")])
            try await Self.withPage(webhooks: [audit]) { browser, _ in
                var browser = browser
                #expect(
                    try await browser.post("/ui/sign-in", ["token": "not-the-token"], csrf: false).status
                        == .unauthorized)
                try await browser.signIn()
                let created = try await browser.post(
                    "/ui/webhooks", ["name": "from the page", "url": "https://siem.example.com/page"])
                #expect(created.status == .seeOther)
                // Refused by the API's rules: nothing is recorded.
                let refused = try await browser.post(
                    "/ui/webhooks", ["name": "bad", "url": "http://plain.example.com"])
                #expect(refused.status == .unprocessableContent)
                #expect(try await browser.post("/ui/sign-out", [:]).status == .seeOther)

                let received = try await receiver.waitForRequests(4, path: "/audit").sorted {
                    Int($0.headers["x-auditrelay-sequence"] ?? "") ?? 0
                        < Int($1.headers["x-auditrelay-sequence"] ?? "") ?? 0
                }
                let records = try received.map {
                    try #require(try JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any])
                }
                #expect(
                    records.map { $0["type"] as? String } == [
                        "auditrelay.session.sign_in_failed", "auditrelay.session.signed_in",
                        "auditrelay.webhook.created", "auditrelay.session.signed_out",
                    ])
                let session = ["kind": "session", "id": ChangeOrigin.fingerprint(ofToken: Self.adminToken)]
                #expect(records[0]["actor"] as? [String: String] == ["kind": "anonymous"])
                #expect(records.dropFirst().allSatisfy { $0["actor"] as? [String: String] == session })
                #expect(records[1]["target"] as? [String: String] == ["kind": "session"])
                #expect((records[2]["target"] as? [String: String])?["name"] == "from the page")
                for request in received {
                    for secret in ["not-the-token", Self.adminToken, "siem.example.com"] {
                        #expect(!request.text.contains(secret), "\(secret) is in a record")
                    }
                }
                #expect(receiver.requests(path: "/audit").count == 4, "the refused change made no record")
            }
        }
    }

    @Test func repeatedFailuresFromOneAddressAreSlowedDown() async throws {
        try await Self.withPage { browser, _ in
            for _ in 0..<3 {
                #expect(try await browser.post("/ui/sign-in", ["token": "nope"], csrf: false).status == .unauthorized)
            }
            let held = try await browser.post("/ui/sign-in", ["token": Self.adminToken], csrf: false)
            #expect(held.status == .tooManyRequests, "even the right token waits")
            #expect(held.headers[.retryAfter].flatMap { Int($0) }.map { $0 >= 1 } == true)
            #expect(held.headers[.setCookie] == nil)
        }
    }

    @Test func aCustomWebhookIsCreatedThroughTheAPIsRulesAndShownAsText() async throws {
        try await Self.withPage { browser, admin in
            var browser = browser
            try await browser.signIn()
            let name = #"<script>alert("x")</script> SIEM"#
            let created = try await browser.post("/ui/webhooks", ["name": name, "url": "https://siem.example.com/in"])
            #expect(created.status == .seeOther)
            let webhooks = try await admin.webhooks()
            #expect(webhooks.map(\.name) == [name])
            #expect(webhooks.first?.events == ["*"])
            let page = String(buffer: try await browser.get("/ui/").body)
            #expect(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; SIEM"), "the name is text")
            #expect(!page.contains(#"<script>alert("x")"#))
            #expect(page.contains("All event types") && page.contains("created."))
            let again = String(buffer: try await browser.get("/ui/").body)
            #expect(!again.contains("created."), "a notice is shown once")
        }
    }

    @Test func aRefusedURLShowsTheRuleNextToTheFieldAndCreatesNothing() async throws {
        try await Self.withPage { browser, admin in
            var browser = browser
            try await browser.signIn()
            let refused = try await browser.post("/ui/webhooks", ["name": "SIEM", "url": "http://siem.example.com/in"])
            #expect(refused.status == .unprocessableContent)
            let page = String(buffer: refused.body)
            let reason = DestinationURL.Refusal.scheme.rawValue
            #expect(page.contains(#"<p id="url-error" class="field-error">"#))
            #expect(page.contains(reason.replacingOccurrences(of: "'", with: "&#39;")) || page.contains(reason))
            #expect(page.contains(#"value="SIEM""#), "what was typed is kept")
            #expect(try await admin.webhooks().isEmpty)
        }
    }

    @Test func changesWithoutTheFormTokenOrFromAnotherSiteAreRefused() async throws {
        try await Self.withPage { browser, admin in
            var browser = browser
            try await browser.signIn()
            let form = ["name": "x", "url": "https://siem.example.com/in"]
            #expect(try await browser.post("/ui/webhooks", form, csrf: false).status == .forbidden)
            var forged = browser
            forged.formToken = "forged"
            #expect(try await forged.post("/ui/webhooks", form).status == .forbidden)
            let crossSite: HTTPFields = [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"]
            #expect(try await browser.post("/ui/webhooks", form, extra: crossSite).status == .forbidden)
            let otherOrigin: HTTPFields = [HTTPField.Name("Origin")!: "https://evil.example"]
            #expect(try await browser.post("/ui/webhooks", form, extra: otherOrigin).status == .forbidden)
            #expect(try await admin.webhooks().isEmpty, "nothing was created")
            #expect(try await browser.post("/ui/webhooks", form).status == .seeOther, "the page's own post works")
        }
    }

    @Test func deleteRemovesTheWebhookAndSignOutEndsTheSession() async throws {
        try await Self.withPage { browser, admin in
            var browser = browser
            try await browser.signIn()
            _ = try await browser.post("/ui/webhooks", ["name": "old", "url": "https://siem.example.com/in"])
            let id = try #require(try await admin.webhooks().first?.id)
            let page = String(buffer: try await browser.get("/ui/").body)
            #expect(page.contains(#"data-confirm="Delete the webhook “old”"#), "deleting asks first")
            #expect(try await browser.post("/ui/webhooks/\(id)/delete", [:]).status == .seeOther)
            #expect(try await admin.webhooks().isEmpty)
            #expect(String(buffer: try await browser.get("/ui/").body).contains("Webhook “old” deleted."))

            let signOut = try await browser.post("/ui/sign-out", [:])
            #expect(signOut.status == .seeOther)
            #expect(signOut.headers[.setCookie]?.contains("Max-Age=0") == true)
            let after = String(buffer: try await browser.get("/ui/").body)
            #expect(after.contains("Admin token") && !after.contains("<h1>Webhooks</h1>"), "the old cookie is dead")
        }
    }

    @Test func deliveriesShowEachAttemptWithHealthAndRetryQueuesAFailedMessageAgain() async throws {
        try await TestReceiver.with(respond: { _ in ReceiverReply(status: 400, body: "bad <b>request</b>") }) {
            receiver in
            // Not `*`: the record of the sign-in (SPEC §13) would be another failed message.
            let spec = WebhookSpec(
                name: "siem", url: receiver.url(), events: [try EventTypePattern(parsing: "repo.*")])
            try await Self.withPage(webhooks: [spec]) { browser, admin in
                var browser = browser
                try await browser.signIn()
                let ingest = try await browser.client.executeRequest(
                    uri: "/v1/events", method: .post,
                    headers: [.authorization: "Bearer ingest", .contentType: "application/json"],
                    body: ByteBuffer(string: #"{"type":"repo.deleted","id":"evt-page-1"}"#))
                #expect(ingest.status == .accepted)
                #expect(try await eventually { try await admin.webhooks().first?.health.lastFailureAt != nil })

                let page = String(buffer: try await browser.get("/ui/deliveries?status=failed").body)
                #expect(page.contains("<code>evt-page-1</code>") && page.contains("repo.deleted"))
                #expect(page.contains(#"<span class="outcome outcome-failed">failed</span>"#))
                #expect(page.contains("HTTP 400"), "the reason is shown")
                #expect(page.contains(#"<option value="failed" selected>"#), "the filter is kept")
                #expect(page.contains("<h2>Webhook health</h2>") && page.contains(#"<th scope="row">siem</th>"#))
                let retry = try #require(page.firstMatch(of: #/action="/ui/messages/(msg_[^"/]+)/retry"/#))
                let empty = String(buffer: try await browser.get("/ui/deliveries?status=delivered").body)
                #expect(
                    empty.contains("No attempts match yet.") && empty.contains(#"<table class="deliveries" hidden>"#))

                #expect(try await browser.post("/ui/messages/\(retry.1)/retry", [:], csrf: false).status == .forbidden)
                #expect(receiver.requests().count == 1, "a refused retry sent nothing")
                #expect(try await browser.post("/ui/messages/\(retry.1)/retry", [:]).status == .seeOther)
                _ = try await receiver.waitForRequests(2)
                let notice = String(buffer: try await browser.get("/ui/deliveries").body)
                #expect(notice.contains("queued again."))
                #expect(
                    try await eventually {
                        let page = String(buffer: try await browser.get("/ui/deliveries").body)
                        return page.components(separatedBy: "<code>evt-page-1</code>").count - 1 == 2
                    }, "the second attempt is listed")
            }
        }
    }

    @Test func sendTestEventShowsTheOutcomeAndResumeRestartsAPausedWebhook() async throws {
        try await TestReceiver.with(respond: { request in
            request.path == "/paused" ? ReceiverReply(status: 401) : ReceiverReply(status: 200, body: "ok")
        }) { receiver in
            let specs = [
                WebhookSpec(name: "siem", url: receiver.url(), events: [try EventTypePattern(parsing: "*")]),
                WebhookSpec(name: "locked", url: receiver.url("/paused"), events: [try EventTypePattern(parsing: "*")]),
            ]
            try await Self.withPage(webhooks: specs) { browser, admin in
                var browser = browser
                try await browser.signIn()
                let webhooks = try await admin.webhooks()
                let siem = try #require(webhooks.first { $0.name == "siem" }?.id)
                let locked = try #require(webhooks.first { $0.name == "locked" }?.id)
                #expect(try await browser.post("/ui/webhooks/\(siem)/test", [:]).status == .seeOther)
                #expect(receiver.requests().contains { $0.text.contains(#""type":"auditrelay.test""#) })
                let tested = String(buffer: try await browser.get("/ui/").body)
                #expect(tested.contains("Test event to “siem”: delivered (HTTP 200,"))

                _ = try await browser.client.executeRequest(
                    uri: "/v1/events", method: .post,
                    headers: [.authorization: "Bearer ingest", .contentType: "application/json"],
                    body: ByteBuffer(string: #"{"type":"user.login"}"#))
                #expect(try await eventually { try await admin.webhooks().first { $0.id == locked }?.state == .paused })
                let paused = String(buffer: try await browser.get("/ui/").body)
                #expect(paused.contains(#"action="/ui/webhooks/\#(locked)/resume""#), "a paused webhook offers Resume")
                #expect(!paused.contains(#"action="/ui/webhooks/\#(siem)/resume""#), "an active one does not")
                #expect(try await browser.post("/ui/webhooks/\(locked)/resume", [:], csrf: false).status == .forbidden)
                #expect(try await admin.webhooks().first { $0.id == locked }?.state == .paused)
                #expect(try await browser.post("/ui/webhooks/\(locked)/resume", [:]).status == .seeOther)
                #expect(
                    try await eventually { receiver.requests(path: "/paused").count >= 2 },
                    "the resumed webhook sends its queued message again (and, refused again, pauses again)")
                #expect(String(buffer: try await browser.get("/ui/").body).contains("Webhook “locked” resumed."))
            }
        }
    }
}
