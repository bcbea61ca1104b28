import Foundation
import NIOHTTP1
import RelayCore
import RelayTestSupport
import Testing

/// `GET /v1/event-types` and `GET /v1/events/{id}` (SPEC §3, §8).
@Suite struct AdminCatalogTests {
    @Test func eventTypesListTheConfiguredAndTheSeenTypes() async throws {
        try await withAdminRelay { relay in
            let initial = try await relay.request(method: .GET, path: "/v1/event-types")
            #expect(initial.status == 200, "\(initial.body)")
            let configured = try #require(Self.entries(initial)["user.login"])
            #expect(configured["description"] as? String == "A user signed in")

            let posted = try await relay.postEvents(#"[{"type":"repo.created"},{"type":"billing.invoice.paid"}]"#)
            #expect(posted.status == 202)
            var seen: [String: [String: Any]] = [:]
            let listed = try await eventually {
                seen = Self.entries(try await relay.request(method: .GET, path: "/v1/event-types"))
                return seen["repo.created"] != nil && seen["billing.invoice.paid"] != nil
            }
            #expect(listed, "event types: \(seen.keys.sorted())")
            #expect(seen["user.login"]?["description"] as? String == "A user signed in")
            let firstSeen = seen["repo.created"]?["firstSeenAt"]
            #expect(isRFC3339(firstSeen), "\(firstSeen ?? "nil")")
            let date = try #require(rfc3339Date(firstSeen))
            #expect(abs(date.timeIntervalSinceNow) < 60)
            #expect(isRFC3339(seen["billing.invoice.paid"]?["firstSeenAt"]))

            // Seeing a type again does not move its first sighting.
            try await Task.sleep(for: .milliseconds(20))
            #expect(try await relay.postEvents(#"{"type":"repo.created"}"#).status == 202)
            let again = Self.entries(try await relay.request(method: .GET, path: "/v1/event-types"))
            #expect(again["repo.created"]?["firstSeenAt"] as? String == firstSeen as? String)
            #expect(again.count == 3)
        }
    }

    @Test func anEventIsShownExactlyAsStoredWithItsMessagesAndAttempts() async throws {
        try await TestReceiver.with { receiver in
            try await withAdminRelay(webhooks: [try hook("siem", url: receiver.url(), events: ["user.*"])]) { relay in
                let webhookID = try #require(try await relay.webhookList().first?["id"] as? String)
                let sent =
                    #"{"type":"user.login","id":"evt-detail-1","time":"2026-11-24T10:00:00Z","#
                    + #""actor":{"name":"alice","roles":["admin"]},"n":1.50,"note":"caf\u00e9 ünï"}"#
                #expect(try await relay.postEvents(sent).status == 202)
                _ = try await receiver.waitForRequests(1)

                var reply = HTTPReply(status: 0, headers: [:], body: "")
                let settled = try await eventually {
                    reply = try await relay.request(method: .GET, path: "/v1/events/evt-detail-1")
                    let messages = reply.json["messages"] as? [[String: Any]] ?? []
                    let attempts = reply.json["attempts"] as? [[String: Any]] ?? []
                    return messages.first?["status"] as? String == "delivered" && attempts.count == 1
                }
                #expect(settled, "\(reply.body)")
                #expect(reply.status == 200)
                #expect(reply.headers["content-type"]?.hasPrefix("application/json") == true)
                // The stored bytes, not a re-encoding: `1.50` and the `\u00e9` escape survive.
                #expect(reply.body.contains(sent), "\(reply.body)")
                let expected = try JSONSerialization.jsonObject(with: Data(sent.utf8))
                #expect(jsonEqual(reply.json["event"], expected))

                let messages = try #require(reply.json["messages"] as? [[String: Any]])
                #expect(messages.count == 1)
                #expect(messages.first?["webhookId"] as? String == webhookID)
                #expect((messages.first?["id"] as? String)?.isEmpty == false)
                let attempt = try #require((reply.json["attempts"] as? [[String: Any]])?.first)
                #expect(attempt["outcome"] as? String == "delivered")
                #expect(attempt["httpStatus"] as? Int == 200)
                #expect(attempt["eventId"] as? String == "evt-detail-1")
                #expect(attempt["eventType"] as? String == "user.login")
                #expect(attempt["webhookId"] as? String == webhookID)
                #expect(attempt["webhookName"] as? String == "siem")
                #expect(attempt["messageId"] as? String == messages.first?["id"] as? String)
                #expect(attempt["attempt"] as? Int == 1)
                #expect(isRFC3339(attempt["startedAt"]))
            }
        }
    }

    @Test func anEventNoWebhookWantsHasNoMessages() async throws {
        try await TestReceiver.with { receiver in
            try await withAdminRelay(webhooks: [try hook("siem", url: receiver.url(), events: ["user.*"])]) { relay in
                let posted = try await relay.postEvents(#"{"type":"repo.created","data":{"k":"v"}}"#)
                #expect(posted.status == 202)
                let id = try #require((posted.json["ids"] as? [String])?.first)
                let reply = try await relay.request(method: .GET, path: "/v1/events/\(id)")
                #expect(reply.status == 200, "\(reply.body)")
                let event = try #require(reply.json["event"] as? [String: Any])
                #expect(event["type"] as? String == "repo.created")
                #expect(jsonEqual(event["data"], ["k": "v"]))
                #expect((reply.json["messages"] as? [Any])?.isEmpty == true)
                #expect((reply.json["attempts"] as? [Any])?.isEmpty == true)
            }
        }
    }

    @Test func anUnknownEventIs404() async throws {
        try await withAdminRelay { relay in
            let reply = try await relay.request(method: .GET, path: "/v1/events/evt_does_not_exist")
            expectProblem(reply, status: 404)
        }
    }

    /// The `eventTypes` of a `GET /v1/event-types` answer, by name.
    static func entries(_ reply: HTTPReply) -> [String: [String: Any]] {
        var byName: [String: [String: Any]] = [:]
        for entry in reply.json["eventTypes"] as? [[String: Any]] ?? [] {
            if let name = entry["name"] as? String { byName[name] = entry }
        }
        return byName
    }
}
