import Foundation
import NIOHTTP1
import RelayCore
import RelayTestSupport
import Testing

/// Admin routes need the admin token and give nothing away without it; what grants access to a
/// destination never comes back out of the API (SPEC §3.2, §8).
@Suite struct AdminAuthTests {
    /// Every admin route, for a webhook `id` and an event `eventID`, with a valid body where one is needed.
    static func routes(id: String, eventID: String) -> [(HTTPMethod, String, String?)] {
        [
            (.GET, "/v1/webhooks", nil),
            (.POST, "/v1/webhooks", webhookBody("intruder")),
            (.GET, "/v1/webhooks/\(id)", nil),
            (.PATCH, "/v1/webhooks/\(id)", #"{"name":"hijacked"}"#),
            (.DELETE, "/v1/webhooks/\(id)", nil),
            (.POST, "/v1/webhooks/\(id)/secrets", nil),
            (.DELETE, "/v1/webhooks/\(id)/secrets/0", nil),
            (.PUT, "/v1/webhooks/\(id)/authorization", #"{"authorization":"Bearer hijacked"}"#),
            (.DELETE, "/v1/webhooks/\(id)/authorization", nil),
            (.POST, "/v1/webhooks/\(id)/test", nil),
            (.POST, "/v1/webhooks/\(id)/resume", nil),
            (.GET, "/v1/event-types", nil),
            (.GET, "/v1/events/\(eventID)", nil),
            (.GET, "/v1/webhooks/wh_unknown", nil),
            (.DELETE, "/v1/webhooks/wh_unknown", nil),
        ]
    }

    @Test func everyAdminRouteRefusesAMissingOrWrongTokenWithABare401() async throws {
        try await withReceivingRelay(webhooks: { _ in [] }) { relay, receiver in
            let created = try await relay.createWebhook(
                webhookBody(
                    "guarded", url: receiver.url(),
                    extra: #""secrets":["guarded-secret"],"authorization":"Bearer guarded-credential""#))
            let id = created.id
            let posted = try await relay.postEvents(#"{"type":"user.login","id":"evt-guarded"}"#)
            #expect(posted.status == 202)
            _ = try await receiver.waitForRequests(1)
            let delivered = receiver.requests().count

            // (token, verbatim Authorization header)
            let credentials: [(String?, String?)] = [
                (nil, nil), ("wrong-token", nil), (testIngestToken, nil), ("test-admin-token-2", nil),
                (nil, "Basic dGVzdC1hZG1pbi10b2tlbg=="), (nil, "test-admin-token"), (nil, "Bearer"),
                (nil, "Bearer "), (nil, "Token test-admin-token"),
            ]
            for (method, path, body) in Self.routes(id: id, eventID: "evt-guarded") {
                for (token, authorization) in credentials {
                    let reply = try await relay.request(
                        method: method, path: path, body: body, token: token, authorization: authorization)
                    let label = "\(method) \(path) with \(authorization ?? token.map { "Bearer \($0)" } ?? "none")"
                    #expect(reply.status == 401, "\(label): \(reply.status) \(reply.body)")
                    #expect(reply.headers["content-type"] == "application/problem+json", "\(label)")
                    #expect(reply.members["status"] == .number(401), "\(label)")
                    #expect(reply.members["errors"] == nil, "\(label)")
                    let lowered = reply.body.lowercased()
                    for word in ["token", "bearer", "admin", "ingest", "webhook", "guarded", "evt-"] {
                        #expect(!lowered.contains(word), "\(label) reveals '\(word)': \(reply.body)")
                    }
                }
            }
            // Nothing was done by the refused requests.
            var after = try await relay.webhook(id)
            after.health = created.health
            #expect(after == created, "the webhook's definition is unchanged (health moves with deliveries)")
            #expect(try await relay.webhookList().count == 1)
            #expect(receiver.requests().count == delivered)
        }
    }

    @Test func theAdminTokenIsAccepted() async throws {
        try await withAdminRelay { relay in
            for path in ["/v1/webhooks", "/v1/event-types"] {
                let bearer = try await relay.request(method: .GET, path: path)
                #expect(bearer.status == 200, "\(path): \(bearer.body)")
                let lowerCase = try await relay.request(
                    method: .GET, path: path, token: nil, authorization: "bearer \(testAdminToken)")
                #expect(lowerCase.status == 200, "the auth scheme is case-insensitive: \(lowerCase.body)")
            }
        }
    }

    @Test func noSecretOrAuthorizationEverComesBackOut() async throws {
        try await withReceivingRelay(
            respond: { _ in ReceiverReply(status: 200, body: "ok") }, webhooks: { _ in [] }
        ) { relay, receiver in
            let plaintexts = [
                "created-secret-Q7xZ", "created-second-secret-P3wY", "Splunk created-credential-K9vT",
                "created-credential-K9vT", "given-secret-M2uS", "Basic put-credential-L8rR",
                "put-credential-L8rR", "patched-credential-N4qP",
            ]
            var bodies: [String] = []
            func record(_ reply: HTTPReply) -> HTTPReply {
                bodies.append(reply.body)
                return reply
            }
            let create = record(
                try await relay.request(
                    method: .POST, path: "/v1/webhooks",
                    body: webhookBody(
                        "leaky?", url: receiver.url(),
                        extra: #""secrets":["created-secret-Q7xZ","created-second-secret-P3wY"],"#
                            + #""authorization":"Splunk created-credential-K9vT""#)))
            #expect(create.status == 201, "\(create.body)")
            let id = try create.decoded(WebhookResource.self).id
            let path = "/v1/webhooks/\(id)"

            let generated = try await relay.request(method: .POST, path: "\(path)/secrets")
            let generatedSecret = try generated.decoded(SecretAdded.self).secret
            #expect(generatedSecret.hasPrefix("whsec_"))

            _ = record(try await relay.request(method: .GET, path: "/v1/webhooks"))
            _ = record(try await relay.request(method: .GET, path: path))
            _ = record(try await relay.request(method: .PATCH, path: path, body: #"{"name":"renamed"}"#))
            _ = record(
                try await relay.request(
                    method: .PATCH, path: path, body: #"{"authorization":"Bearer\tpatched-credential-N4qP"}"#))
            _ = record(
                try await relay.request(
                    method: .PATCH, path: path, body: #"{"secrets":[" given-secret-M2uS"],"colour":1}"#))
            _ = record(
                try await relay.request(
                    method: .POST, path: "\(path)/secrets", body: #"{"secret":"given-secret-M2uS"}"#))
            _ = record(
                try await relay.request(
                    method: .POST, path: "\(path)/secrets", body: #"{"secret":"given-secret-M2uS "}"#))
            _ = record(
                try await relay.request(
                    method: .PUT, path: "\(path)/authorization",
                    body: #"{"authorization":"Basic put-credential-L8rR"}"#))
            _ = record(
                try await relay.request(
                    method: .PUT, path: "\(path)/authorization",
                    body: #"{"authorization":"Basic\r\nput-credential-L8rR"}"#))
            _ = record(try await relay.request(method: .POST, path: "\(path)/test"))
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"evt-leak"}"#).status == 202)
            _ = try await receiver.waitForRequests(2)
            _ = try await eventually {
                let reply = try await relay.request(method: .GET, path: "/v1/events/evt-leak")
                guard reply.status == 200 else { return false }
                return try !reply.decoded(EventDetailResource.self).attempts.isEmpty
            }
            _ = record(try await relay.request(method: .GET, path: "/v1/events/evt-leak"))
            _ = record(try await relay.request(method: .GET, path: "/v1/event-types"))
            _ = record(try await relay.request(method: .POST, path: "\(path)/resume"))
            _ = record(try await relay.request(method: .DELETE, path: "\(path)/secrets/0"))
            _ = record(try await relay.request(method: .DELETE, path: "\(path)/authorization"))
            _ = record(try await relay.request(method: .GET, path: path))

            #expect(bodies.count == 17)
            for secret in plaintexts + [generatedSecret, String(generatedSecret.dropFirst("whsec_".count))] {
                for body in bodies {
                    #expect(!body.contains(secret), "'\(secret)' appears in \(body)")
                }
            }
            // The routes did run (so the scan saw real answers).
            #expect(bodies[1].contains("\"secrets\""))
            #expect(receiver.requests().first?.headers["authorization"] != nil)
        }
    }

    /// SPEC §3.2: "Reading a webhook never reveals a secret or the authorization header": a value
    /// shorter than 8 characters is masked completely.
    @Test func aShortSecretIsNotShownInFull() async throws {
        try await withAdminRelay { relay in
            let created = try await relay.createWebhook(
                webhookBody("short", extra: #""secrets":["ab"],"authorization":"a b""#))
            // What a mask shows (without its `…`) must be less than the whole value.
            let shownSecret = created.secrets.first?.replacingOccurrences(of: "…", with: "")
            let shownAuthorization = created.authorization?.replacingOccurrences(of: "…", with: "")
            #expect(shownSecret == "", "\(created)")
            #expect(shownAuthorization == "", "\(created)")
        }
    }
}
