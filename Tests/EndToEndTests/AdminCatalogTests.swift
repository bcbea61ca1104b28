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
            let configured = try #require(try Self.entries(initial)["user.login"])
            #expect(configured.description == "A user signed in")

            let posted = try await relay.postEvents(#"[{"type":"repo.created"},{"type":"billing.invoice.paid"}]"#)
            #expect(posted.status == 202)
            var seen: [String: EventTypeResource] = [:]
            let listed = try await eventually {
                seen = try Self.entries(try await relay.request(method: .GET, path: "/v1/event-types"))
                return seen["repo.created"] != nil && seen["billing.invoice.paid"] != nil
            }
            #expect(listed, "event types: \(seen.keys.sorted())")
            #expect(seen["user.login"]?.description == "A user signed in")
            let firstSeen = seen["repo.created"]?.firstSeenAt
            #expect(isRFC3339(firstSeen), "\(firstSeen ?? "nil")")
            let date = try #require(rfc3339Date(firstSeen))
            #expect(abs(date.timeIntervalSinceNow) < 60)
            #expect(isRFC3339(seen["billing.invoice.paid"]?.firstSeenAt))

            // Seeing a type again does not move its first sighting.
            try await Task.sleep(for: .milliseconds(20))
            #expect(try await relay.postEvents(#"{"type":"repo.created"}"#).status == 202)
            let again = try Self.entries(try await relay.request(method: .GET, path: "/v1/event-types"))
            #expect(again["repo.created"]?.firstSeenAt == firstSeen)
            // The relay's own types (SPEC §13) are listed with their descriptions before any is seen.
            let own = again.filter { $0.key.hasPrefix("auditrelay.") }
            #expect(own.count == RelayEventType.allCases.count)
            #expect(own["auditrelay.webhook.secret_added"]?.description == "A signing secret was added to a webhook")
            #expect(own.values.allSatisfy { $0.description?.isEmpty == false && $0.firstSeenAt == nil })
            #expect(again.count - own.count == 3)
        }
    }

    @Test func anEventIsShownExactlyAsStoredWithItsMessagesAndAttempts() async throws {
        try await withReceivingRelay(webhooks: { [try hook("siem", url: $0.url(), events: ["user.*"])] }) {
            relay, receiver in
            let webhookID = try #require(try await relay.webhookList().first?.id)
            let sent =
                #"{"type":"user.login","id":"evt-detail-1","time":"2026-11-24T10:00:00Z","#
                + #""actor":{"name":"alice","roles":["admin"]},"n":1.50,"note":"caf\u00e9 ünï"}"#
            #expect(try await relay.postEvents(sent).status == 202)
            _ = try await receiver.waitForRequests(1)

            var reply = HTTPReply(status: 0, headers: [:], body: "")
            let settled = try await eventually {
                reply = try await relay.request(method: .GET, path: "/v1/events/evt-detail-1")
                guard reply.status == 200 else { return false }
                let detail = try reply.decoded(EventDetailResource.self)
                return detail.messages.first?.status == .delivered && detail.attempts.count == 1
            }
            #expect(settled, "\(reply.body)")
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"]?.hasPrefix("application/json") == true)
            // The stored bytes, not a re-encoding: `1.50` and the `\u00e9` escape survive.
            #expect(reply.body.contains(sent), "\(reply.body)")
            let detail = try reply.decoded(EventDetailResource.self)
            let expected = try JSONDecoder().decode(JSONValue.self, from: Data(sent.utf8))
            #expect(detail.event == expected)

            #expect(detail.messages.count == 1)
            let message = try #require(detail.messages.first)
            #expect(message.webhookId == webhookID)
            #expect(!message.id.isEmpty)
            let attempt = try #require(detail.attempts.first)
            #expect(attempt.outcome == .delivered)
            #expect(attempt.httpStatus == 200)
            #expect(attempt.eventId == "evt-detail-1")
            #expect(attempt.eventType == "user.login")
            #expect(attempt.webhookId == webhookID)
            #expect(attempt.webhookName == "siem")
            #expect(attempt.messageId == message.id)
            #expect(attempt.attempt == 1)
            #expect(isRFC3339(attempt.startedAt))
        }
    }

    @Test func anEventNoWebhookWantsHasNoMessages() async throws {
        try await withReceivingRelay(webhooks: { [try hook("siem", url: $0.url(), events: ["user.*"])] }) { relay, _ in
            let posted = try await relay.postEvents(#"{"type":"repo.created","data":{"k":"v"}}"#)
            #expect(posted.status == 202)
            let id = try #require(try posted.decoded(IngestAccepted.self).ids.first)
            let reply = try await relay.request(method: .GET, path: "/v1/events/\(id)")
            #expect(reply.status == 200, "\(reply.body)")
            let detail = try reply.decoded(EventDetailResource.self)
            guard case .object(let event) = detail.event else {
                Issue.record("the event is not a JSON object: \(reply.body)")
                return
            }
            #expect(event["type"] == .string("repo.created"))
            #expect(event["data"] == .object(["k": .string("v")]))
            #expect(detail.messages.isEmpty)
            #expect(detail.attempts.isEmpty)
        }
    }

    @Test func anUnknownEventIs404() async throws {
        try await withAdminRelay { relay in
            let reply = try await relay.request(method: .GET, path: "/v1/events/evt_does_not_exist")
            expectProblem(reply, status: 404)
        }
    }

    /// The `eventTypes` of a `GET /v1/event-types` answer, by name.
    static func entries(_ reply: HTTPReply) throws -> [String: EventTypeResource] {
        let list = try reply.decoded(EventTypeList.self)
        return Dictionary(list.eventTypes.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }
}
