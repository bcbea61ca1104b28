import Foundation
import NIOHTTP1
import RelayCore
import RelayTestSupport
import Synchronization
import Testing

/// Secrets, authorization, test sends and resume: `/v1/webhooks/{id}/…` (SPEC §3.2, §4, §8).
@Suite struct AdminActionTests {
    // MARK: Secrets

    @Test func aGeneratedSecretIsReturnedInFullOnceThenOnlyMasked() async throws {
        try await withAdminRelay { relay in
            let id = try await relay.createWebhook(webhookBody("gen")).id
            let reply = try await relay.request(method: .POST, path: "/v1/webhooks/\(id)/secrets")
            #expect(reply.status == 201, "\(reply.body)")
            let secret = try reply.decoded(SecretAdded.self).secret
            #expect(secret.hasPrefix("whsec_"))
            let decoded = try #require(Data(base64Encoded: String(secret.dropFirst("whsec_".count))))
            #expect(decoded.count == 32)

            let read = try await relay.request(method: .GET, path: "/v1/webhooks/\(id)")
            #expect(read.status == 200, "\(read.body)")
            #expect(try read.decoded(WebhookResource.self).secrets == ["whs…"])
            #expect(!read.body.contains(secret))
            #expect(!read.body.contains(String(secret.dropFirst("whsec_".count))))
            let list = try await relay.request(method: .GET, path: "/v1/webhooks")
            #expect(!list.body.contains(secret))

            let second = try await relay.request(
                method: .POST, path: "/v1/webhooks/\(id)/secrets", body: "", contentType: "application/json")
            #expect(second.status == 201, "\(second.body)")
            let other = try second.decoded(SecretAdded.self).secret
            #expect(other.hasPrefix("whsec_") && other != secret)
            #expect(try await relay.webhook(id).secrets == ["whs…", "whs…"])
        }
    }

    @Test func aGivenSecretIsMaskedAndAnEleventhIsRefused() async throws {
        try await withAdminRelay { relay in
            let id = try await relay.createWebhook(webhookBody("given")).id
            let given = try await relay.request(
                method: .POST, path: "/v1/webhooks/\(id)/secrets", body: #"{"secret":"given-secret-0"}"#)
            #expect(given.status == 201, "\(given.body)")
            #expect(try given.decoded(SecretAdded.self).secret == "giv…")
            #expect(!given.body.contains("given-secret-0"))
            for number in 1..<10 {
                let reply = try await relay.request(
                    method: .POST, path: "/v1/webhooks/\(id)/secrets", body: #"{"secret":"given-secret-\#(number)"}"#)
                #expect(reply.status == 201, "secret \(number): \(reply.body)")
            }
            let full = try await relay.webhook(id)
            #expect(full.secrets.count == 10)

            let eleventh = try await relay.request(
                method: .POST, path: "/v1/webhooks/\(id)/secrets", body: #"{"secret":"given-secret-10"}"#)
            expectInvalid(eleventh, field: "secrets")
            let generated = try await relay.request(method: .POST, path: "/v1/webhooks/\(id)/secrets")
            expectInvalid(generated, field: "secrets")
            #expect(generated.members["secret"] == nil)
            #expect(try await relay.webhook(id) == full)
        }
    }

    @Test func badSecretBodiesAreRefused() async throws {
        try await withAdminRelay { relay in
            let created = try await relay.createWebhook(webhookBody("bad-secrets"))
            let id = created.id
            let path = "/v1/webhooks/\(id)/secrets"
            expectInvalid(
                try await relay.request(method: .POST, path: path, body: #"{"secret":" padded"}"#), field: "secret")
            expectInvalid(try await relay.request(method: .POST, path: path, body: #"{"secret":""}"#), field: "secret")
            expectInvalid(try await relay.request(method: .POST, path: path, body: #"{"secret":5}"#), field: "secret")
            expectInvalid(try await relay.request(method: .POST, path: path, body: #"{"value":"x"}"#), field: "value")
            expectProblem(try await relay.request(method: .POST, path: path, body: #"{"secret":"#), status: 400)
            expectProblem(
                try await relay.request(method: .POST, path: path, body: "secret=x", contentType: "text/plain"),
                status: 415)
            #expect(try await relay.webhook(id) == created)
        }
    }

    /// Every `201` hands out a secret "returned in full exactly once" (SPEC §3.2), so each must be
    /// kept; the route reads the webhook, appends and writes the whole row back, so concurrent
    /// additions overwrite each other.
    @Test func concurrentlyAddedSecretsAreAllKept() async throws {
        try await withAdminRelay { relay in
            let id = try await relay.createWebhook(webhookBody("busy")).id
            let secrets = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let reply = try await relay.request(method: .POST, path: "/v1/webhooks/\(id)/secrets")
                        guard reply.status == 201 else { return nil }
                        return try reply.decoded(SecretAdded.self).secret
                    }
                }
                var added: [String] = []
                for try await secret in group { added += secret.map { [$0] } ?? [] }
                return added
            }
            #expect(secrets.count == 8)
            let stored = try await relay.webhook(id).secrets
            #expect(stored.count == secrets.count, "\(secrets.count) secrets handed out, \(stored.count) stored")
        }
    }

    @Test func deletingASecretByIndexRemovesThatOne() async throws {
        try await withAdminRelay { relay in
            let created = try await relay.createWebhook(
                webhookBody("rotate", extra: #""secrets":["aaa-first","bbb-second","ccc-third"]"#))
            let id = created.id
            let removed = try await relay.request(method: .DELETE, path: "/v1/webhooks/\(id)/secrets/1")
            #expect([200, 204].contains(removed.status), "\(removed.body)")
            #expect(try await relay.webhook(id).secrets == ["aaa…", "ccc…"])
            for index in ["2", "9", "-1", "x"] {
                let reply = try await relay.request(method: .DELETE, path: "/v1/webhooks/\(id)/secrets/\(index)")
                expectProblem(reply, status: 404)
            }
            #expect(try await relay.webhook(id).secrets == ["aaa…", "ccc…"])
            #expect(try await relay.request(method: .DELETE, path: "/v1/webhooks/\(id)/secrets/0").status < 300)
            #expect(try await relay.webhook(id).secrets == ["ccc…"])
        }
    }

    @Test func aRemovedSecretNoLongerSigns() async throws {
        try await withReceivingRelay(webhooks: { _ in [] }) { relay, receiver in
            let created = try await relay.createWebhook(
                webhookBody(
                    "signed", url: receiver.url(),
                    extra: #""allowPrivateNetwork":true,"secrets":["keep-this-secret","drop-this-secret"]"#))
            let id = created.id
            #expect(try await relay.request(method: .DELETE, path: "/v1/webhooks/\(id)/secrets/1").status < 300)
            #expect(try await relay.request(method: .POST, path: "/v1/webhooks/\(id)/test").status == 200)
            let request = try #require(try await receiver.waitForRequests(1).first)
            #expect(request.headers["x-soteri-signature"]?.split(separator: ",").count == 1)
            let results = SignatureVerifier.verify(
                headers: HeaderFields(request.headers), body: request.body, secrets: ["keep-this-secret"],
                now: WallClock.nowMillis() / 1000)
            #expect(results.map(\.matchedSecret) == [0, 0], "\(results)")
        }
    }

    @Test func slackWebhooksTakeNoSecretsOrAuthorization() async throws {
        try await withAdminRelay { relay in
            let created = try await relay.createWebhook(
                #"{"name":"alerts","kind":"slack","url":"\#(slackURL)","events":["*"]}"#)
            let id = created.id
            expectInvalid(try await relay.request(method: .POST, path: "/v1/webhooks/\(id)/secrets"), field: "secrets")
            expectInvalid(
                try await relay.request(
                    method: .POST, path: "/v1/webhooks/\(id)/secrets", body: #"{"secret":"given"}"#),
                field: "secrets")
            expectInvalid(
                try await relay.request(
                    method: .PUT, path: "/v1/webhooks/\(id)/authorization", body: #"{"authorization":"Bearer x"}"#),
                field: "authorization")
            expectInvalid(
                try await relay.request(
                    method: .PATCH, path: "/v1/webhooks/\(id)", body: #"{"headers":{"X-A":"b"}}"#),
                field: "headers")
            #expect(try await relay.webhook(id) == created)
        }
    }

    // MARK: Authorization

    @Test func authorizationIsSetValidatedAndCleared() async throws {
        try await withAdminRelay { relay in
            let id = try await relay.createWebhook(webhookBody("auth")).id
            let path = "/v1/webhooks/\(id)/authorization"
            let set = try await relay.request(method: .PUT, path: path, body: #"{"authorization":"Splunk abc-123"}"#)
            #expect(set.status == 200, "\(set.body)")
            #expect(try set.decoded(WebhookResource.self).authorization == "Spl…")
            #expect(!set.body.contains("abc-123"))
            let current = try await relay.webhook(id)
            #expect(current.authorization == "Spl…")

            for body in [
                #"{"authorization":"Splunk"}"#, #"{"authorization":"Splunk "}"#, #"{"authorization":" Splunk x"}"#,
                #"{"authorization":"Splunk a\r\nX-Evil: 1"}"#, #"{"authorization":"B@d x"}"#,
                #"{"authorization":42}"#, #"{"authorization":null}"#, "{}",
            ] {
                expectInvalid(try await relay.request(method: .PUT, path: path, body: body), field: "authorization")
            }
            expectInvalid(
                try await relay.request(method: .PUT, path: path, body: #"{"authorization":"Bearer x","extra":1}"#),
                field: "extra")
            expectProblem(try await relay.request(method: .PUT, path: path, body: "{"), status: 400)
            expectProblem(
                try await relay.request(
                    method: .PUT, path: path, body: #"{"authorization":"Bearer x"}"#, contentType: "text/plain"),
                status: 415)
            #expect(try await relay.webhook(id) == current)

            let cleared = try await relay.request(method: .DELETE, path: path)
            #expect([200, 204].contains(cleared.status), "\(cleared.body)")
            let read = try await relay.request(method: .GET, path: "/v1/webhooks/\(id)")
            #expect(read.status == 200, "\(read.body)")
            #expect(read.members["authorization"] == .null)
        }
    }

    @Test func aChangedAuthorizationIsSentOnTheNextDelivery() async throws {
        try await withReceivingRelay(webhooks: { _ in [] }) { relay, receiver in
            let created = try await relay.createWebhook(
                #"{"name":"siem","url":"\#(receiver.url())","events":["user.*"],"#
                    + #""authorization":"Bearer first-credential"}"#)
            let id = created.id
            #expect(created.events == ["user.*"])

            #expect(try await relay.postEvents(#"{"type":"user.login","id":"e-1"}"#).status == 202)
            let first = try await receiver.waitForRequests(1)
            #expect(first[0].headers["authorization"] == "Bearer first-credential")

            let put = try await relay.request(
                method: .PUT, path: "/v1/webhooks/\(id)/authorization",
                body: #"{"authorization":"Splunk second-credential"}"#)
            #expect(put.status == 200, "\(put.body)")
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"e-2"}"#).status == 202)
            let second = try await receiver.waitForRequests(2)
            #expect(second[1].text.contains(#""e-2""#))
            #expect(second[1].headers["authorization"] == "Splunk second-credential")

            let cleared = try await relay.request(method: .DELETE, path: "/v1/webhooks/\(id)/authorization")
            #expect(cleared.status < 300)
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"e-3"}"#).status == 202)
            let third = try await receiver.waitForRequests(3)
            #expect(third[2].text.contains(#""e-3""#))
            #expect(third[2].headers["authorization"] == nil)
        }
    }

    // MARK: Test sends

    @Test func testSendsGoThroughTheLanesClientAndReuseItsConnection() async throws {
        try await ScriptedHTTPSServer.with { server in
            try await withAdminRelay { relay in
                let created = try await relay.createWebhook(webhookBody("tested", url: server.url()))
                let id = created.id
                for _ in 1...3 {
                    let reply = try await relay.request(method: .POST, path: "/v1/webhooks/\(id)/test")
                    #expect(try reply.decoded(WebhookTestResult.self).outcome == .delivered, "\(reply.body)")
                }
                #expect(server.requests.count == 3)
                #expect(server.connections == 1, "each /test used to open a client, and a connection, of its own")
            }
        }
    }

    @Test func testSendsAnAuditrelayTestEventNowSigned() async throws {
        try await withReceivingRelay(webhooks: { _ in [] }) { relay, receiver in
            let secrets = ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "plain-second-secret"]
            let created = try await relay.createWebhook(
                webhookBody(
                    "tested", url: receiver.url("/signed"),
                    extra: #""allowPrivateNetwork":true,"secrets":\#(try jsonText(secrets))"#))
            let id = created.id
            let reply = try await relay.request(method: .POST, path: "/v1/webhooks/\(id)/test")
            #expect(reply.status == 200, "\(reply.body)")
            let result = try reply.decoded(WebhookTestResult.self)
            #expect(result.outcome == .delivered)
            #expect(result.httpStatus == 200)
            // Sent before the answer: the receiver already has it.
            let received = receiver.requests(path: "/signed")
            #expect(received.count == 1)
            let request = try #require(received.first)
            let event = try JSONDecoder().decode([String: JSONValue].self, from: Data(request.body))
            #expect(event["type"] == .string("auditrelay.test"))
            #expect(request.headers["x-auditrelay-event-type"] == "auditrelay.test")
            #expect(event["id"] == .string(result.eventId))
            #expect(request.headers["x-soteri-signature"]?.split(separator: ",").count == 2)
            #expect(request.headers["webhook-signature"]?.split(separator: " ").count == 2)
            for (index, secret) in secrets.enumerated() {
                let results = SignatureVerifier.verify(
                    headers: HeaderFields(request.headers), body: request.body, secrets: [secret],
                    now: WallClock.nowMillis() / 1000)
                #expect(results.count == 2 && results.allSatisfy { $0.matchedSecret == 0 }, "secret \(index)")
            }
            #expect(try await relay.webhook(id).state == .active)
        }
    }

    @Test func testWithoutSecretsIsUnsigned() async throws {
        try await withReceivingRelay(webhooks: { _ in [] }) { relay, receiver in
            let created = try await relay.createWebhook(webhookBody("plain", url: receiver.url("/plain")))
            let id = created.id
            let reply = try await relay.request(method: .POST, path: "/v1/webhooks/\(id)/test")
            #expect(try reply.decoded(WebhookTestResult.self).outcome == .delivered, "\(reply.body)")
            let request = try #require(receiver.requests(path: "/plain").first)
            #expect(request.headers["x-soteri-signature"] == nil)
            #expect(request.headers["webhook-signature"] == nil)
            #expect(request.text.contains("auditrelay.test"))
        }
    }

    @Test func testAgainstAFailingReceiverReportsRetryingWithItsStatus() async throws {
        try await withReceivingRelay(
            respond: { _ in ReceiverReply(status: 500, body: "down") }, webhooks: { _ in [] }
        ) { relay, receiver in
            let created = try await relay.createWebhook(
                webhookBody("failing", url: receiver.url(), extra: #""allowPrivateNetwork":true"#))
            let id = created.id
            let reply = try await relay.request(method: .POST, path: "/v1/webhooks/\(id)/test")
            #expect(reply.status == 200, "\(reply.body)")
            let result = try reply.decoded(WebhookTestResult.self)
            #expect(result.outcome == .retrying)
            #expect(result.httpStatus == 500)
            #expect(receiver.requests().count == 1)
            #expect(receiver.requests().first?.text.contains("auditrelay.test") == true)
        }
    }

    // MARK: Resume

    @Test func resumeDeliversWhatWasQueuedWhilePaused() async throws {
        let refusing = Mutex(true)
        try await withReceivingRelay(
            respond: { _ in
                refusing.withLock { $0 } ? ReceiverReply(status: 401, body: "bad token") : ReceiverReply()
            }, webhooks: { _ in [] }
        ) { relay, receiver in
            let created = try await relay.createWebhook(webhookBody("pausing", url: receiver.url()))
            let id = created.id
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"p-1"}"#).status == 202)
            _ = try await receiver.waitForRequests(1)
            let paused = try await eventually {
                try await relay.webhook(id).state == .paused
            }
            #expect(paused)
            let pausedView = try await relay.webhook(id)
            #expect(pausedView.enabled == true)
            #expect(pausedView.stateReason?.isEmpty == false, "\(pausedView)")

            #expect(try await relay.postEvents(#"{"type":"user.login","id":"p-2"}"#).status == 202)
            // Paused: both messages wait in the queue, which is not claimed; one attempt was made.
            #expect(try await relay.webhook(id).health.queueDepth == 2)
            #expect(try await deliveryPage(relay, "webhook=\(id)").deliveries.count == 1)
            #expect(receiver.requests().count == 1)

            let refused = receiver.requests().count
            refusing.withLock { $0 = false }
            let resumed = try await relay.request(method: .POST, path: "/v1/webhooks/\(id)/resume")
            #expect(resumed.status == 200, "\(resumed.body)")
            #expect(try resumed.decoded(WebhookResource.self).state == .active)
            #expect(resumed.members["stateReason"] == .null)

            let delivered = await eventually {
                let texts = receiver.requests().dropFirst(refused).map(\.text)
                return texts.contains { $0.contains(#""p-1""#) } && texts.contains { $0.contains(#""p-2""#) }
            }
            #expect(delivered, "after resume: \(receiver.requests().dropFirst(refused).map(\.text))")
            #expect(try await relay.webhook(id).state == .active)
        }
    }

    @Test func resumingAnActiveWebhookKeepsItActive() async throws {
        try await withAdminRelay { relay in
            let created = try await relay.createWebhook(webhookBody("steady"))
            let id = created.id
            let reply = try await relay.request(method: .POST, path: "/v1/webhooks/\(id)/resume")
            #expect(reply.status == 200, "\(reply.body)")
            let resumed = try reply.decoded(WebhookResource.self)
            #expect(resumed.state == .active)
            #expect(resumed.id == id)
        }
    }
}
