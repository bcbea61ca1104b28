import Foundation
import NIOHTTP1
import RelayCore
import RelayTestSupport
import Testing

/// `GET|POST /v1/webhooks`, `GET|PATCH|DELETE /v1/webhooks/{id}` over real HTTP (SPEC §3, §8).
@Suite struct AdminWebhookTests {
    static let fullBody = #"""
        {"name":"Splunk prod","url":"https://splunk.example.com:8088/services/collector/event",
         "events":["repo.*","user.login"],"format":"splunk-hec",
         "secrets":["abcdefghijklmnopqrstuvwxyz","whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
         "authorization":"Splunk 1234-5678-90ab","headers":{"X-Tenant":"acme"}}
        """#

    @Test func createAnswers201WithTheWebhookMasked() async throws {
        try await withAdminRelay { relay in
            let reply = try await relay.request(method: .POST, path: "/v1/webhooks", body: Self.fullBody)
            #expect(reply.status == 201, "\(reply.body)")
            #expect(reply.headers["content-type"]?.hasPrefix("application/json") == true)
            let created = try reply.decoded(WebhookResource.self)
            let id = created.id
            #expect(id.hasPrefix("wh_") && id.count > 3)
            #expect(created.name == "Splunk prod")
            #expect(created.kind == .custom)
            #expect(created.url == "https://splunk.example.com:8088/services/collector/event")
            #expect(created.events == ["repo.*", "user.login"])
            #expect(created.format == MessageFormat.splunkHEC)
            #expect(created.secrets == ["abc…", "whs…"])
            #expect(created.authorization == "Spl…")
            #expect(created.headers == ["X-Tenant": "acme"])
            #expect(created.enabled == true)
            #expect(created.state == .active)
            #expect(reply.members["stateReason"] == .null)
            #expect(created.allowPrivateNetwork == false)
            #expect(isRFC3339(created.createdAt), "\(created.createdAt)")
            #expect(isRFC3339(created.updatedAt), "\(created.updatedAt)")
            let createdAt = try #require(rfc3339Date(created.createdAt))
            #expect(abs(createdAt.timeIntervalSinceNow) < 60)

            let read = try await relay.webhook(id)
            #expect(read == created, "GET \(read) differs from the create answer \(created)")
            let list = try await relay.webhookList()
            #expect(list.count == 1)
            #expect(list.first == created)
        }
    }

    @Test func createFillsInTheDefaults() async throws {
        try await withAdminRelay { relay in
            let minimal = try await relay.request(method: .POST, path: "/v1/webhooks", body: webhookBody("minimal"))
            try #require(minimal.status == 201, "\(minimal.body)")
            let created = try minimal.decoded(WebhookResource.self)
            #expect(created.kind == .custom)
            #expect(created.format == MessageFormat.json)
            #expect(created.events == ["user.*"])
            #expect(created.secrets == [])
            #expect(minimal.members["authorization"] == .null)
            #expect(created.headers == [:])
            #expect(created.enabled == true)
            #expect(created.state == .active)
            #expect(created.allowPrivateNetwork == false)

            let disabled = try await relay.createWebhook(webhookBody("off", extra: #""enabled":false"#))
            #expect(disabled.enabled == false)
            #expect(disabled.state == .disabled)
            #expect(disabled.stateReason?.isEmpty == false)

            let slackReply = try await relay.request(
                method: .POST, path: "/v1/webhooks",
                body: #"{"name":"alerts","kind":"slack","url":"\#(slackURL)","events":["user.login"]}"#)
            try #require(slackReply.status == 201, "\(slackReply.body)")
            let slack = try slackReply.decoded(WebhookResource.self)
            #expect(slack.kind == .slack)
            #expect(slack.secrets == [])
            #expect(slackReply.members["authorization"] == .null)

            let list = try await relay.webhookList()
            #expect(Set(list.map(\.name)) == ["minimal", "off", "alerts"])
            #expect(Set(list.map(\.id)).count == 3)
        }
    }

    @Test func patchChangesOnlyTheMembersItCarries() async throws {
        try await withAdminRelay { relay in
            let created = try await relay.createWebhook(Self.fullBody)
            let id = created.id
            try await Task.sleep(for: .milliseconds(5))

            let renameReply = try await relay.request(
                method: .PATCH, path: "/v1/webhooks/\(id)", body: #"{"name":"Splunk renamed"}"#)
            #expect(renameReply.status == 200, "\(renameReply.body)")
            let renamed = try renameReply.decoded(WebhookResource.self)
            #expect(renamed.name == "Splunk renamed")
            var expected = stable(created)
            expected.name = "Splunk renamed"
            #expect(stable(renamed) == expected)
            #expect(renamed.createdAt == created.createdAt)
            let before = try #require(rfc3339Date(created.updatedAt))
            let after = try #require(rfc3339Date(renamed.updatedAt))
            #expect(after > before)

            let narrowReply = try await relay.request(
                method: .PATCH, path: "/v1/webhooks/\(id)",
                body: #"{"events":["billing.*"],"headers":{"X-Tenant":"globex","X-Env":"prod"}}"#)
            #expect(narrowReply.status == 200, "\(narrowReply.body)")
            let narrowed = try narrowReply.decoded(WebhookResource.self)
            #expect(narrowed.events == ["billing.*"])
            #expect(narrowed.headers == ["X-Tenant": "globex", "X-Env": "prod"])
            #expect(narrowed.name == "Splunk renamed")
            #expect(narrowed.secrets == ["abc…", "whs…"])
            #expect(narrowed.authorization == "Spl…")
            #expect(narrowed.format == MessageFormat.splunkHEC)

            let read = try await relay.webhook(id)
            #expect(read == narrowed)
        }
    }

    @Test func patchEnabledFalseDisablesWithAReasonAndTrueMakesItActive() async throws {
        try await withAdminRelay { relay in
            let id = try await relay.createWebhook(webhookBody("toggle")).id
            let off = try await relay.request(method: .PATCH, path: "/v1/webhooks/\(id)", body: #"{"enabled":false}"#)
            #expect(off.status == 200, "\(off.body)")
            let disabled = try off.decoded(WebhookResource.self)
            #expect(disabled.enabled == false)
            #expect(disabled.state == .disabled)
            let reason = try #require(disabled.stateReason)
            #expect(!reason.isEmpty)
            let read = try await relay.webhook(id)
            #expect(read.state == .disabled)
            #expect(read.stateReason == reason)

            let on = try await relay.request(method: .PATCH, path: "/v1/webhooks/\(id)", body: #"{"enabled":true}"#)
            #expect(on.status == 200, "\(on.body)")
            let enabled = try on.decoded(WebhookResource.self)
            #expect(enabled.enabled == true)
            #expect(enabled.state == .active)
            #expect(on.members["stateReason"] == .null)
            #expect(try await relay.webhook(id).state == .active)
        }
    }

    @Test func patchAuthorizationNullClearsItAndKeepsTheRest() async throws {
        try await withAdminRelay { relay in
            let created = try await relay.createWebhook(Self.fullBody)
            let id = created.id
            let cleared = try await relay.request(
                method: .PATCH, path: "/v1/webhooks/\(id)", body: #"{"authorization":null}"#)
            #expect(cleared.status == 200, "\(cleared.body)")
            #expect(cleared.members["authorization"] == .null)
            let withoutAuthorization = try cleared.decoded(WebhookResource.self)
            var expected = stable(created)
            expected.authorization = nil
            #expect(stable(withoutAuthorization) == expected)
            let read = try await relay.request(method: .GET, path: "/v1/webhooks/\(id)")
            #expect(read.status == 200, "\(read.body)")
            #expect(read.members["authorization"] == .null)

            let set = try await relay.request(
                method: .PATCH, path: "/v1/webhooks/\(id)", body: #"{"authorization":"Bearer patched-credential"}"#)
            #expect(set.status == 200, "\(set.body)")
            #expect(try set.decoded(WebhookResource.self).authorization == "Bea…")
        }
    }

    @Test func deleteAnswers204AndTheWebhookIsGone() async throws {
        try await withAdminRelay { relay in
            let id = try await relay.createWebhook(webhookBody("doomed")).id
            let keep = try await relay.createWebhook(webhookBody("kept")).id
            let deleted = try await relay.request(method: .DELETE, path: "/v1/webhooks/\(id)")
            #expect(deleted.status == 204)
            #expect(deleted.body.isEmpty)
            expectProblem(try await relay.request(method: .GET, path: "/v1/webhooks/\(id)"), status: 404)
            expectProblem(try await relay.request(method: .DELETE, path: "/v1/webhooks/\(id)"), status: 404)
            expectProblem(
                try await relay.request(method: .PATCH, path: "/v1/webhooks/\(id)", body: #"{"name":"back"}"#),
                status: 404)
            #expect(try await relay.webhookList().map(\.id) == [keep])
        }
    }

    @Test func everyRouteOnAnUnknownWebhookIs404() async throws {
        try await withAdminRelay { relay in
            let routes: [(HTTPMethod, String, String?)] = [
                (.GET, "", nil), (.PATCH, "", #"{"name":"x"}"#), (.DELETE, "", nil),
                (.POST, "/secrets", nil), (.DELETE, "/secrets/0", nil),
                (.PUT, "/authorization", #"{"authorization":"Bearer x"}"#), (.DELETE, "/authorization", nil),
                (.POST, "/test", nil), (.POST, "/resume", nil),
            ]
            for (method, suffix, body) in routes {
                let reply = try await relay.request(
                    method: method, path: "/v1/webhooks/wh_doesnotexist\(suffix)", body: body)
                expectProblem(reply, status: 404)
            }
        }
    }

    @Test func aWebhookMadeOrChangedThroughTheAPIIsUsedWithoutARestart() async throws {
        try await withReceivingRelay(webhooks: { _ in [] }) { relay, receiver in
            let created = try await relay.createWebhook(
                #"{"name":"live","url":"\#(receiver.url("/first"))","events":["user.*"],"#
                    + #""headers":{"X-Tenant":"acme"},"allowPrivateNetwork":true}"#)
            let id = created.id
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"live-1"}"#).status == 202)
            let first = try await receiver.waitForRequests(1, path: "/first")
            #expect(first[0].text.contains(#""live-1""#))
            #expect(first[0].headers["x-tenant"] == "acme")

            let patched = try await relay.request(
                method: .PATCH, path: "/v1/webhooks/\(id)",
                body: #"{"url":"\#(receiver.url("/second"))","headers":{"X-Tenant":"globex"}}"#)
            #expect(patched.status == 200, "\(patched.body)")
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"live-2"}"#).status == 202)
            let second = try await receiver.waitForRequests(1, path: "/second")
            #expect(second[0].text.contains(#""live-2""#))
            #expect(second[0].headers["x-tenant"] == "globex")
            #expect(receiver.requests(path: "/first").count == 1)
        }
    }

    @Test func aDeletedWebhookGetsNoMoreEvents() async throws {
        try await withReceivingRelay(webhooks: { _ in [] }) { relay, receiver in
            let gone = try await relay.createWebhook(webhookBody("gone", url: receiver.url("/gone")))
            let stays = try await relay.createWebhook(
                webhookBody("stays", url: receiver.url("/stays")))
            #expect(try await relay.request(method: .DELETE, path: "/v1/webhooks/\(gone.id)").status == 204)

            #expect(try await relay.postEvents(#"{"type":"user.login","id":"after-delete"}"#).status == 202)
            _ = try await receiver.waitForRequests(1, path: "/stays")
            let detail = try await relay.get("/v1/events/after-delete", as: EventDetailResource.self)
            #expect(detail.messages.map(\.webhookId) == [stays.id], "\(detail.messages)")
            #expect(receiver.requests(path: "/gone").isEmpty)
        }
    }
}
