import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RelayCore
import RelayTestSupport
import Synchronization
import Testing

/// "Install using OAuth" (SPEC §11) against a stand-in for Slack: an HTTPS server on 127.0.0.1
/// with the test CA that answers `oauth.v2.access` and receives the incoming webhook's posts.
@Suite struct SlackInstallTests {
    static let clientID = "1111.2222"
    static let clientSecret = "slack-client-secret-value"
    static let redirectURI = "https://relay.example.com/ui/slack/callback"
    static let hookPath = "/services/T0ACME/B0GENERAL/hook-secret-path"

    /// An `oauth.v2.access` answer for the channel `#general` of Acme, posting to `hookURL`.
    static func approval(hookURL: String) -> String {
        #"{"ok":true,"access_token":"xoxb-not-kept","team":{"id":"T0ACME","name":"Acme"},"#
            + ##""incoming_webhook":{"channel":"#general","channel_id":"C0GENERAL","##
            + #""configuration_url":"https://acme.slack.com/services/B0GENERAL","url":"\#(hookURL)"}}"#
    }

    /// Where the stand-in listens, known once it has started.
    final class StandIn: Sendable {
        private let port = Mutex(0)
        var hookURL: String { "https://localhost:\(port.withLock { $0 })\(SlackInstallTests.hookPath)" }
        func started(on port: Int) { self.port.withLock { $0 = port } }
    }

    static func withSlack(
        answer: @escaping @Sendable (StandIn) -> ReceiverReply,
        configure: @escaping (inout RelayConfiguration) -> Void = { _ in }, logs: LogCapture? = nil,
        _ body: @Sendable (TestReceiver, SettingsPageTests.Browser, SettingsPageTests.AdminProbe) async throws -> Void
    ) async throws {
        let standIn = StandIn()
        try await TestReceiver.with(respond: { request in
            request.path == "/api/oauth.v2.access" ? answer(standIn) : ReceiverReply(status: 200, body: "ok")
        }) { receiver in
            standIn.started(on: receiver.port)
            try await SettingsPageTests.withPage(
                configure: { configuration in
                    configuration.slack.clientID = clientID
                    configuration.slack.clientSecret = clientSecret
                    configuration.slack.redirectURL = redirectURI
                    configuration.slack.authorizeURL = receiver.url("/oauth/v2/authorize")
                    configuration.slack.apiURL = receiver.url("/api/")
                    configuration.slack.webhookHosts = ["localhost"]
                    configuration.slack.defaultEvents = [try! EventTypePattern(parsing: "user.*")]
                    configure(&configuration)
                }, logs: logs
            ) { browser, admin in
                var browser = browser
                try await browser.signIn()
                try await body(receiver, browser, admin)
            }
        }
    }

    /// Starts an install: the `state` from the redirect to Slack's authorize page.
    static func start(_ browser: SettingsPageTests.Browser) async throws -> String {
        let response = try await browser.get("/ui/slack/install")
        #expect(response.status == .found)
        let location = try #require(response.headers[.location])
        let query = try #require(URLComponents(string: location)?.queryItems)
        return try #require(query.first { $0.name == "state" }?.value)
    }

    /// Slack's redirect back with `query`: the callback's page moves on to the finishing step,
    /// whose answer is returned.
    static func callback(_ browser: SettingsPageTests.Browser, _ query: String) async throws -> TestResponse {
        let landing = try await browser.get("/ui/slack/callback?\(query)")
        #expect(landing.status == .ok)
        let page = String(buffer: landing.body)
        let next = try #require(page.firstMatch(of: /content="0;url=([^"]+)"/).map { String($0.1) })
        #expect(next == "/ui/slack/finish?\(query)".replacingOccurrences(of: "&", with: "&amp;"))
        return try await browser.get(next.replacingOccurrences(of: "&amp;", with: "&"))
    }

    static func notice(_ browser: SettingsPageTests.Browser) async throws -> String {
        let page = String(buffer: try await browser.get("/ui/").body)
        return page.firstMatch(of: /<p class="notice" role="status">([^<]*)<\/p>/).map { String($0.1) } ?? ""
    }

    @Test func anInstallCreatesANamedSlackWebhookThatReceivesEventsAndASecondOneIsNumbered() async throws {
        let logs = LogCapture()
        try await Self.withSlack(answer: { ReceiverReply(body: Self.approval(hookURL: $0.hookURL)) }, logs: logs) {
            receiver, browser, admin in
            let install = try await browser.get("/ui/slack/install")
            let location = try #require(install.headers[.location])
            #expect(location.hasPrefix(receiver.url("/oauth/v2/authorize") + "?"))
            let query = Dictionary(
                uniqueKeysWithValues: (URLComponents(string: location)?.queryItems ?? []).map {
                    ($0.name, $0.value ?? "")
                })
            #expect(query["client_id"] == Self.clientID)
            #expect(query["scope"] == "incoming-webhook")
            #expect(query["redirect_uri"] == Self.redirectURI)
            let state = try #require(query["state"])

            let callback = try await Self.callback(browser, "code=code-123&state=\(state)")
            #expect(callback.status == .seeOther)
            let webhook = try #require(try await admin.webhooks().first)
            #expect(callback.headers[.location] == "/ui/webhooks/\(webhook.id)", "the new webhook's editor opens")
            #expect(webhook.name == "#general (Acme)")
            #expect(webhook.kind == .slack)
            #expect(webhook.events == ["user.*"])
            #expect(webhook.url == "https://localhost:\(receiver.port)/services/T…/B…/•••", "the URL is masked")
            #expect(
                webhook.slack
                    == .some(
                        SlackInstallation(
                            teamID: "T0ACME", teamName: "Acme", channel: "#general", channelID: "C0GENERAL",
                            configurationURL: "https://acme.slack.com/services/B0GENERAL")))
            let patch = try await browser.client.executeRequest(
                uri: "/v1/webhooks/\(webhook.id)", method: .patch,
                headers: [.authorization: "Bearer \(SettingsPageTests.adminToken)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"slack":null}"#))
            #expect(patch.status == .unprocessableContent, "the slack metadata is read-only")
            #expect(try await admin.webhooks().first?.slack == webhook.slack)
            let editor = String(buffer: try await browser.get("/ui/webhooks/\(webhook.id)").body)
            #expect(editor.contains("installed: events go to #general"))
            #expect(editor.contains("Manage in Slack"))

            let exchanges = receiver.requests(path: "/api/oauth.v2.access")
            #expect(exchanges.count == 1)
            let exchange = try #require(exchanges.first)
            let basic = Data("\(Self.clientID):\(Self.clientSecret)".utf8).base64EncodedString()
            #expect(exchange.headers["authorization"] == "Basic \(basic)")
            #expect(exchange.headers["content-type"] == "application/x-www-form-urlencoded")
            let formRedirect = "https%3A%2F%2Frelay.example.com%2Fui%2Fslack%2Fcallback"
            #expect(exchange.text == "code=code-123&redirect_uri=\(formRedirect)", "the same redirect_uri")

            _ = try await browser.client.executeRequest(
                uri: "/v1/events", method: .post,
                headers: [.authorization: "Bearer ingest", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"type":"user.login","actor":"alice"}"#))
            let message = try #require(try await receiver.waitForRequests(1, path: Self.hookPath).first)
            #expect(message.text.contains("user.login"), "a Slack message reaches the installed webhook")

            let again = try await Self.callback(browser, "code=code-123&state=\(state)")
            #expect(again.status == .seeOther && again.headers[.location] == "/ui/")
            #expect(try await Self.notice(browser).contains("already completed"))
            #expect(try await admin.webhooks().count == 1, "a used state creates nothing")

            let second = try await Self.start(browser)
            _ = try await Self.callback(browser, "code=code-456&state=\(second)")
            #expect(try await admin.webhooks().map(\.name).sorted() == ["#general (Acme)", "#general (Acme) 2"])

            let deliveries = try await browser.client.executeRequest(
                uri: "/v1/deliveries", method: .get,
                headers: [.authorization: "Bearer \(SettingsPageTests.adminToken)"], body: nil)
            let deliveryLog = String(buffer: deliveries.body)
            #expect(deliveryLog.contains("user.login"))
            for secret in [Self.clientSecret, "code-123", "code-456", "hook-secret-path", "xoxb-not-kept"] {
                #expect(!logs.text.contains(secret), "\(secret) is not logged")
                #expect(!deliveryLog.contains(secret), "\(secret) is not in the delivery log")
            }
        }
    }

    @Test(arguments: [
        ("error=access_denied", "the installation was cancelled in Slack"),
        ("code=bad-code", "Slack refused the installation (invalid_code)"),
        ("code=c1", "not one of slack.webhookHosts"),
        ("code=c1&state=forged", "unknown state"),
        ("code=c1&state=", "carried no state"),
    ])
    func aFailedInstallCreatesNothingAndSaysWhy(query: String, reason: String) async throws {
        let logs = LogCapture()
        try await Self.withSlack(
            answer: { standIn in
                if query == "code=bad-code" { return ReceiverReply(body: #"{"ok":false,"error":"invalid_code"}"#) }
                let hook = query == "code=c1" ? "https://hooks.evil.example/services/T/B/x" : standIn.hookURL
                return ReceiverReply(body: Self.approval(hookURL: hook))
            }, logs: logs
        ) { receiver, browser, admin in
            let state = try await Self.start(browser)
            let answer = try await Self.callback(browser, query.contains("state=") ? query : "\(query)&state=\(state)")
            #expect(answer.status == .seeOther && answer.headers[.location] == "/ui/")
            let notice = try await Self.notice(browser)
            #expect(notice.hasPrefix("Slack was not installed:") && notice.contains(reason), "\(notice)")
            #expect(try await admin.webhooks().isEmpty)
            for secret in [Self.clientSecret, "bad-code", "hooks.evil.example/services", "hook-secret-path"] {
                #expect(!logs.text.contains(secret) && !notice.contains(secret), "\(secret) is not shown or logged")
            }
        }
    }

    @Test func anUnreachableSlackOrAnExpiredStateCreatesNothing() async throws {
        try await Self.withSlack(
            answer: { _ in ReceiverReply(status: 200) },
            configure: { configuration in
                configuration.slack.apiURL = "https://localhost:1/api/"
                configuration.slack.stateTTL = RelayDuration(milliseconds: 0)
            }
        ) { _, browser, admin in
            let expired = try await Self.start(browser)
            _ = try await Self.callback(browser, "code=c&state=\(expired)")
            #expect(try await Self.notice(browser).contains("state expired"))
            #expect(try await admin.webhooks().isEmpty)
        }
        try await Self.withSlack(
            answer: { _ in ReceiverReply(status: 200) },
            configure: { $0.slack.apiURL = "https://localhost:1/api/" }
        ) { _, browser, admin in
            let state = try await Self.start(browser)
            _ = try await Self.callback(browser, "code=c&state=\(state)")
            #expect(try await Self.notice(browser).contains("Slack could not be reached"))
            #expect(try await admin.webhooks().isEmpty)
        }
    }

    @Test func withoutDefaultEventsTheInstalledWebhookWaitsDisabledForItsEvents() async throws {
        try await Self.withSlack(
            answer: { ReceiverReply(body: Self.approval(hookURL: $0.hookURL)) },
            configure: { $0.slack.defaultEvents = [] }
        ) { _, browser, admin in
            let state = try await Self.start(browser)
            _ = try await Self.callback(browser, "code=c&state=\(state)")
            let webhook = try #require(try await admin.webhooks().first)
            #expect(webhook.state == .disabled && webhook.events == ["*"])
            #expect(webhook.stateReason?.contains("choose its events") == true)
            let editor = String(buffer: try await browser.get("/ui/webhooks/\(webhook.id)").body)
            #expect(editor.contains("disabled until you choose its events"))
        }
    }

    @Test func withoutAClientIDThePageSaysWhichKeysToSet() async throws {
        try await SettingsPageTests.withPage { browser, _ in
            var browser = browser
            try await browser.signIn()
            let page = String(buffer: try await browser.get("/ui/").body)
            #expect(page.contains("slack.clientID") && !page.contains("/ui/slack/install"))
            #expect(try await browser.get("/ui/slack/install").headers[.location] == "/ui/")
        }
    }
}

extension SlackInstallTests {
    @Test func anInstallIsRecordedByTheSessionWithoutTheWebhooksURL() async throws {
        try await Self.withSlack(
            answer: { ReceiverReply(body: Self.approval(hookURL: $0.hookURL)) },
            configure: { configuration in
                // The stand-in's own address, where a webhook taking the relay's records posts.
                let audit = configuration.slack.apiURL.replacingOccurrences(of: "/api/", with: "/audit")
                configuration.webhooks = [
                    WebhookSpec(name: "audit", url: audit, events: [try! EventTypePattern(parsing: "auditrelay.*")])
                ]
            }
        ) { receiver, browser, admin in
            let state = try await Self.start(browser)
            _ = try await Self.callback(browser, "code=code-123&state=\(state)")
            let installed = try #require(try await admin.webhooks().first { $0.kind == .slack })
            // The sign-in, then the install.
            let received = try await receiver.waitForRequests(2, path: "/audit")
            let records = try received.map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any])
            }
            let record = try #require(records.first { $0["type"] as? String == "auditrelay.slack.installed" })
            let fingerprint = ChangeOrigin.fingerprint(ofToken: SettingsPageTests.adminToken)
            #expect(record["actor"] as? [String: String] == ["kind": "session", "id": fingerprint])
            #expect(
                record["target"] as? [String: String]
                    == ["kind": "webhook", "id": installed.id, "name": "#general (Acme)"])
            for request in received {
                for secret in ["hook-secret-path", "/services/", "code-123", Self.clientSecret, "xoxb-not-kept"] {
                    #expect(!request.text.contains(secret), "\(secret) is in a record")
                }
            }
        }
    }
}
