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
            let created = reply.json
            let id = try #require(created["id"] as? String)
            #expect(id.hasPrefix("wh_") && id.count > 3)
            #expect(created["name"] as? String == "Splunk prod")
            #expect(created["kind"] as? String == "custom")
            #expect(created["url"] as? String == "https://splunk.example.com:8088/services/collector/event")
            #expect(created["events"] as? [String] == ["repo.*", "user.login"])
            #expect(created["format"] as? String == "splunk-hec")
            #expect(created["secrets"] as? [String] == ["abc…", "whs…"])
            #expect(created["authorization"] as? String == "Spl…")
            #expect(created["headers"] as? [String: String] == ["X-Tenant": "acme"])
            #expect(created["enabled"] as? Bool == true)
            #expect(created["state"] as? String == "active")
            #expect(created["stateReason"] is NSNull)
            #expect(created["allowPrivateNetwork"] as? Bool == false)
            #expect(isRFC3339(created["createdAt"]), "\(created["createdAt"] ?? "nil")")
            #expect(isRFC3339(created["updatedAt"]), "\(created["updatedAt"] ?? "nil")")
            let createdAt = try #require(rfc3339Date(created["createdAt"]))
            #expect(abs(createdAt.timeIntervalSinceNow) < 60)

            let read = try await relay.webhook(id)
            #expect(jsonEqual(read, created), "GET \(read) differs from the create answer \(created)")
            let list = try await relay.webhookList()
            #expect(list.count == 1)
            #expect(jsonEqual(list.first, created))
        }
    }

    @Test func createFillsInTheDefaults() async throws {
        try await withAdminRelay { relay in
            let created = try await relay.createWebhook(webhookBody("minimal"))
            #expect(created["kind"] as? String == "custom")
            #expect(created["format"] as? String == "json")
            #expect(created["events"] as? [String] == ["*"])
            #expect(created["secrets"] as? [String] == [])
            #expect(created["authorization"] is NSNull)
            #expect(created["headers"] as? [String: String] == [:])
            #expect(created["enabled"] as? Bool == true)
            #expect(created["state"] as? String == "active")
            #expect(created["allowPrivateNetwork"] as? Bool == false)

            let disabled = try await relay.createWebhook(webhookBody("off", extra: #""enabled":false"#))
            #expect(disabled["enabled"] as? Bool == false)
            #expect(disabled["state"] as? String == "disabled")
            #expect((disabled["stateReason"] as? String)?.isEmpty == false)

            let slack = try await relay.createWebhook(
                #"{"name":"alerts","kind":"slack","url":"\#(slackURL)","events":["user.login"]}"#)
            #expect(slack["kind"] as? String == "slack")
            #expect(slack["secrets"] as? [String] == [])
            #expect(slack["authorization"] is NSNull)

            let list = try await relay.webhookList()
            #expect(Set(list.compactMap { $0["name"] as? String }) == ["minimal", "off", "alerts"])
            #expect(Set(list.compactMap { $0["id"] as? String }).count == 3)
        }
    }

    @Test func patchChangesOnlyTheMembersItCarries() async throws {
        try await withAdminRelay { relay in
            let created = try await relay.createWebhook(Self.fullBody)
            let id = try #require(created["id"] as? String)
            try await Task.sleep(for: .milliseconds(5))

            let renamed = try await relay.request(
                method: .PATCH, path: "/v1/webhooks/\(id)", body: #"{"name":"Splunk renamed"}"#)
            #expect(renamed.status == 200, "\(renamed.body)")
            #expect(renamed.json["name"] as? String == "Splunk renamed")
            #expect(jsonEqual(stableFields(renamed.json, except: ["name"]), stableFields(created, except: ["name"])))
            #expect(renamed.json["createdAt"] as? String == created["createdAt"] as? String)
            let before = try #require(rfc3339Date(created["updatedAt"]))
            let after = try #require(rfc3339Date(renamed.json["updatedAt"]))
            #expect(after > before)

            let narrowed = try await relay.request(
                method: .PATCH, path: "/v1/webhooks/\(id)",
                body: #"{"events":["billing.*"],"headers":{"X-Tenant":"globex","X-Env":"prod"}}"#)
            #expect(narrowed.status == 200, "\(narrowed.body)")
            #expect(narrowed.json["events"] as? [String] == ["billing.*"])
            #expect(narrowed.json["headers"] as? [String: String] == ["X-Tenant": "globex", "X-Env": "prod"])
            #expect(narrowed.json["name"] as? String == "Splunk renamed")
            #expect(narrowed.json["secrets"] as? [String] == ["abc…", "whs…"])
            #expect(narrowed.json["authorization"] as? String == "Spl…")
            #expect(narrowed.json["format"] as? String == "splunk-hec")

            let read = try await relay.webhook(id)
            #expect(jsonEqual(read, narrowed.json))
        }
    }

    @Test func patchEnabledFalseDisablesWithAReasonAndTrueMakesItActive() async throws {
        try await withAdminRelay { relay in
            let id = try #require(try await relay.createWebhook(webhookBody("toggle"))["id"] as? String)
            let off = try await relay.request(method: .PATCH, path: "/v1/webhooks/\(id)", body: #"{"enabled":false}"#)
            #expect(off.status == 200, "\(off.body)")
            #expect(off.json["enabled"] as? Bool == false)
            #expect(off.json["state"] as? String == "disabled")
            let reason = try #require(off.json["stateReason"] as? String)
            #expect(!reason.isEmpty)
            let read = try await relay.webhook(id)
            #expect(read["state"] as? String == "disabled")
            #expect(read["stateReason"] as? String == reason)

            let on = try await relay.request(method: .PATCH, path: "/v1/webhooks/\(id)", body: #"{"enabled":true}"#)
            #expect(on.status == 200, "\(on.body)")
            #expect(on.json["enabled"] as? Bool == true)
            #expect(on.json["state"] as? String == "active")
            #expect(on.json["stateReason"] is NSNull)
            #expect(try await relay.webhook(id)["state"] as? String == "active")
        }
    }

    @Test func patchAuthorizationNullClearsItAndKeepsTheRest() async throws {
        try await withAdminRelay { relay in
            let created = try await relay.createWebhook(Self.fullBody)
            let id = try #require(created["id"] as? String)
            let cleared = try await relay.request(
                method: .PATCH, path: "/v1/webhooks/\(id)", body: #"{"authorization":null}"#)
            #expect(cleared.status == 200, "\(cleared.body)")
            #expect(cleared.json["authorization"] is NSNull)
            #expect(
                jsonEqual(
                    stableFields(cleared.json, except: ["authorization"]),
                    stableFields(created, except: ["authorization"])))
            #expect(try await relay.webhook(id)["authorization"] is NSNull)

            let set = try await relay.request(
                method: .PATCH, path: "/v1/webhooks/\(id)", body: #"{"authorization":"Bearer patched-credential"}"#)
            #expect(set.status == 200, "\(set.body)")
            #expect(set.json["authorization"] as? String == "Bea…")
        }
    }

    @Test func deleteAnswers204AndTheWebhookIsGone() async throws {
        try await withAdminRelay { relay in
            let id = try #require(try await relay.createWebhook(webhookBody("doomed"))["id"] as? String)
            let keep = try #require(try await relay.createWebhook(webhookBody("kept"))["id"] as? String)
            let deleted = try await relay.request(method: .DELETE, path: "/v1/webhooks/\(id)")
            #expect(deleted.status == 204)
            #expect(deleted.body.isEmpty)
            expectProblem(try await relay.request(method: .GET, path: "/v1/webhooks/\(id)"), status: 404)
            expectProblem(try await relay.request(method: .DELETE, path: "/v1/webhooks/\(id)"), status: 404)
            expectProblem(
                try await relay.request(method: .PATCH, path: "/v1/webhooks/\(id)", body: #"{"name":"back"}"#),
                status: 404)
            #expect(try await relay.webhookList().compactMap { $0["id"] as? String } == [keep])
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
        try await TestReceiver.with { receiver in
            try await withAdminRelay { relay in
                let created = try await relay.createWebhook(
                    #"{"name":"live","url":"\#(receiver.url("/first"))","events":["user.*"],"#
                        + #""headers":{"X-Tenant":"acme"},"allowPrivateNetwork":true}"#)
                let id = try #require(created["id"] as? String)
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
    }

    @Test func aDeletedWebhookGetsNoMoreEvents() async throws {
        try await TestReceiver.with { receiver in
            try await withAdminRelay { relay in
                let gone = try await relay.createWebhook(webhookBody("gone", url: receiver.url("/gone")))
                let stays = try await relay.createWebhook(webhookBody("stays", url: receiver.url("/stays")))
                let goneID = try #require(gone["id"] as? String)
                let staysID = try #require(stays["id"] as? String)
                #expect(try await relay.request(method: .DELETE, path: "/v1/webhooks/\(goneID)").status == 204)

                #expect(try await relay.postEvents(#"{"type":"user.login","id":"after-delete"}"#).status == 202)
                _ = try await receiver.waitForRequests(1, path: "/stays")
                let detail = try await relay.request(method: .GET, path: "/v1/events/after-delete")
                let messages = detail.json["messages"] as? [[String: Any]] ?? []
                #expect(messages.compactMap { $0["webhookId"] as? String } == [staysID], "\(detail.body)")
                #expect(receiver.requests(path: "/gone").isEmpty)
            }
        }
    }
}
