import Foundation
import NIOHTTP1
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

/// Inbound sources end to end (SPEC §12): a signed provider request becomes an event delivered
/// to the webhooks subscribed to it; refusals store nothing and are counted; and the secret
/// token's status follows a rotation through to its end.
@Suite struct InboundSourceTests {
    private static let pushBody =
        #"{"ref":"refs/heads/main","repository":{"full_name":"acme/api"},"sender":{"login":"alice"}}"#

    /// Creates a source through the API; returns it with its secret in full.
    private static func createSource(_ relay: some TestRelay, name: String, provider: InboundProvider) async throws
        -> SourceResource
    {
        let reply = try await relay.request(
            method: .POST, path: "/v1/sources", body: #"{"name":"\#(name)","provider":"\#(provider.rawValue)"}"#)
        try #require(reply.status == 201, "\(reply.status): \(reply.body)")
        return try reply.decoded(SourceResource.self)
    }

    private static func source(_ relay: some TestRelay, _ id: String) async throws -> SourceResource {
        try await relay.request(method: .GET, path: "/v1/sources/\(id)").decoded(SourceResource.self)
    }

    /// A GitHub delivery signed with `secret`.
    private static func github(
        _ relay: some TestRelay, _ id: String, secret: String, delivery: String, body: String = pushBody
    ) async throws -> HTTPReply {
        try await relay.send(
            method: .POST, path: "/v1/inbound/\(id)",
            headers: [
                ("Content-Type", "application/json"), ("X-GitHub-Event", "push"), ("X-GitHub-Delivery", delivery),
                ("X-Hub-Signature-256", Signer.hubSignature(body: Array(body.utf8), secret: secret)),
            ],
            body: body)
    }

    /// A Bitbucket push from repository `repository`, signed with `secret`.
    private static func bitbucket(_ relay: some TestRelay, _ id: String, secret: String, repository: String)
        async throws -> HTTPReply
    {
        let body = #"{"repository":{"full_name":"\#(repository)"},"actor":{"display_name":"Bob"}}"#
        return try await relay.send(
            method: .POST, path: "/v1/inbound/\(id)",
            headers: [
                ("Content-Type", "application/json"), ("X-Event-Key", "repo:push"),
                ("X-Request-UUID", UUID().uuidString),
                ("X-Hub-Signature", Signer.hubSignature(body: Array(body.utf8), secret: secret)),
            ],
            body: body)
    }

    @Test func aSignedGitHubDeliveryIsDeliveredOnceAndItsSourceBecomesSecure() async throws {
        try await withReceivingRelay(webhooks: { [try hook("siem", url: $0.url("/siem"), events: ["github.*"])] }) {
            relay, receiver in
            let created = try await Self.createSource(relay, name: "acme GitHub", provider: .github)
            let secret = try #require(created.secret ?? nil)
            #expect(secret.hasPrefix("whsec_") && created.secrets == ["whs…"])
            #expect(created.secretStatus == .pending && created.url == "/v1/inbound/\(created.id)")

            let reply = try await Self.github(relay, created.id, secret: secret, delivery: "d-1")
            #expect(reply.status == 202, "\(reply.body)")
            let received = try await receiver.waitForRequests(1, path: "/siem")
            let event = try JSONValue.object(from: Array(received[0].body))
            #expect(event["id"] == .string("github:d-1"))
            #expect(event["type"] == .string("github.push"))
            #expect(event["source"] == .string("acme GitHub") && event["actor"] == .string("alice"))
            #expect(received[0].text.contains(#""data":\#(Self.pushBody)"#), "the payload verbatim")

            let again = try await Self.github(relay, created.id, secret: secret, delivery: "d-1")
            #expect(again.status == 202 && again.body.contains(#""duplicates":1"#))
            let source = try await Self.source(relay, created.id)
            #expect(source.secretStatus == .secure && source.stateReason == nil && source.secret == nil)
            #expect(source.senders.map(\.name) == ["acme/api"])
            let store = try relay.openStore()
            #expect(try await store.eventCount(includingOwn: false) == 1, "a redelivery is not stored again")
            #expect(try await eventually { try await store.attempts().count == 1 })
            #expect(receiver.requests(path: "/siem").count == 1, "a redelivery is not delivered again")
        }
    }

    /// A request as `provider` sends it, signed with `secret`, and the event type it becomes.
    private static func signedRequest(_ provider: String, secret: String) -> (
        headers: [(String, String)], body: String, type: String
    ) {
        let now = WallClock.nowMillis() / 1000
        switch provider {
        case "jira":
            let body =
                #"{"webhookEvent":"user_deleted","user":{"displayName":"Eve","self":"https://acme.atlassian.net/u/1"}}"#
            return (
                [
                    ("X-Atlassian-Webhook-Identifier", "j-1"),
                    ("X-Hub-Signature", Signer.hubSignature(body: Array(body.utf8), secret: secret)),
                ], body, "jira.user_deleted"
            )
        case "gitlab-token":
            let body = #"{"object_kind":"push","project":{"path_with_namespace":"acme/infra"},"user_username":"carol"}"#
            return ([("X-Gitlab-Event-UUID", "g-1"), ("X-Gitlab-Token", secret)], body, "gitlab.push")
        case "gitlab-signing":
            let body = #"{"object_kind":"merge_request","project":{"path_with_namespace":"acme/infra"}}"#
            let signature = Signer.standardSignature(
                messageID: "g-2", timestamp: now, body: Array(body.utf8), secrets: [secret])
            return (
                [
                    ("Idempotency-Key", "g-2"), ("webhook-id", "g-2"), ("webhook-timestamp", "\(now)"),
                    ("webhook-signature", signature),
                ], body, "gitlab.merge_request"
            )
        default:
            let body = #"{"type":"user.login","actor":"dana"}"#
            let signature = Signer.standardSignature(
                messageID: "s-1", timestamp: now, body: Array(body.utf8), secrets: [secret])
            return (
                [("webhook-id", "s-1"), ("webhook-timestamp", "\(now)"), ("webhook-signature", signature)], body,
                "user.login"
            )
        }
    }

    @Test(arguments: ["jira", "gitlab-token", "gitlab-signing", "standard"])
    func eachProvidersSignedRequestIsDelivered(_ provider: String) async throws {
        try await withReceivingRelay(webhooks: {
            [try hook("siem", url: $0.url("/siem"), events: ["jira.*", "gitlab.*", "user.login"])]
        }) { relay, receiver in
            let kind = try #require(InboundProvider(rawValue: String(provider.prefix { $0 != "-" })))
            let created = try await Self.createSource(relay, name: provider, provider: kind)
            let secret = try #require(created.secret ?? nil)
            let request = Self.signedRequest(provider, secret: secret)
            let path = "/v1/inbound/\(created.id)"
            let headers = request.headers + [("Content-Type", "application/json")]
            let reply = try await relay.send(method: .POST, path: path, headers: headers, body: request.body)
            #expect(reply.status == 202, "\(reply.body)")
            let received = try await receiver.waitForRequests(1, path: "/siem")
            let event = try JSONValue.object(from: Array(received[0].body))
            #expect(event["type"] == .string(request.type))
            #expect(event["source"] == .string(provider))
            #expect(received[0].text.contains(#""data":\#(request.body)"#))
            #expect(try await Self.source(relay, created.id).secretStatus == .secure)

            let forged = request.headers.map { name, value in
                (name, ["X-Gitlab-Token", "X-Hub-Signature", "webhook-signature"].contains(name) ? value + "0" : value)
            }
            let refused = try await relay.send(
                method: .POST, path: path, headers: forged + [("Content-Type", "application/json")],
                body: request.body)
            #expect(refused.status == 401)
            #expect(try await Self.source(relay, created.id).rejected == 1)
        }
    }

    @Test func everyRefusalStoresNothingAndIsCounted() async throws {
        try await withReceivingRelay(
            webhooks: { [try hook("siem", url: $0.url("/siem"), events: ["*"])] },
            configure: { $0.inbound.maxBodyBytes = 2048 }
        ) { relay, _ in
            let created = try await Self.createSource(relay, name: "acme", provider: .github)
            let secret = try #require(created.secret ?? nil)
            let wrong = try await Self.github(relay, created.id, secret: "whsec_wrong", delivery: "r-1")
            #expect(wrong.status == 401)
            #expect(!wrong.body.contains("whsec") && wrong.body.contains("could not be verified"))
            let unsigned = try await relay.send(
                method: .POST, path: "/v1/inbound/\(created.id)",
                headers: [("X-GitHub-Event", "push"), ("X-GitHub-Delivery", "r-2")], body: Self.pushBody)
            #expect(unsigned.status == 401 && unsigned.body == wrong.body, "the same answer whatever the reason")
            #expect(try await Self.github(relay, "src_unknown", secret: secret, delivery: "r-3").status == 404)
            let large = #"{"pad":"\#(String(repeating: "x", count: 3000))"}"#
            #expect(
                try await Self.github(relay, created.id, secret: secret, delivery: "r-4", body: large).status == 413)
            let notJSON = try await Self.github(relay, created.id, secret: secret, delivery: "r-5", body: "payload=x")
            #expect(notJSON.status == 400 && notJSON.body.contains("content type to JSON"))

            let store = try relay.openStore()
            #expect(try await store.eventCount(includingOwn: false) == 0)
            let source = try await Self.source(relay, created.id)
            #expect(source.rejected == 2 && source.lastRejectedAt != nil)
            #expect(source.secretStatus == .pending)
        }
    }

    @Test func aRotationWithTwoSendersEndsWhenBothHaveSwitched() async throws {
        try await withReceivingRelay(webhooks: { _ in [] }) { relay, _ in
            let created = try await Self.createSource(relay, name: "acme Bitbucket", provider: .bitbucket)
            let old = try #require(created.secret ?? nil)
            for repository in ["acme/api", "acme/web"] {
                #expect(try await Self.bitbucket(relay, created.id, secret: old, repository: repository).status == 202)
            }
            let rotate = try await relay.request(
                method: .POST, path: "/v1/sources/\(created.id)/secret/rotate", body: #"{"grace":"1h"}"#)
            let rotated = try rotate.decoded(SourceResource.self)
            let new = try #require(rotated.secret ?? nil)
            #expect(rotated.secretStatus == .configuring && rotated.deadline != nil)
            #expect(rotated.progress == .init(switched: 0, total: 2) && rotated.secrets.count == 2)

            #expect(try await Self.bitbucket(relay, created.id, secret: old, repository: "acme/web").status == 202)
            #expect(try await Self.bitbucket(relay, created.id, secret: new, repository: "acme/api").status == 202)
            let half = try await Self.source(relay, created.id)
            #expect(half.progress == .init(switched: 1, total: 2) && half.lagging == ["acme/web"])
            #expect(half.stateReason == "1 of 2 senders use the new secret")

            #expect(try await Self.bitbucket(relay, created.id, secret: new, repository: "acme/web").status == 202)
            let done = try await Self.source(relay, created.id)
            #expect(done.secretStatus == .secure && done.secrets.count == 1 && done.deadline == nil)
            #expect(try await Self.bitbucket(relay, created.id, secret: old, repository: "acme/api").status == 401)

            let revealed = try await relay.request(method: .POST, path: "/v1/sources/\(created.id)/secret/reveal")
            #expect(try revealed.decoded(SourceSecret.self).secret == new)
        }
    }

    @Test func aGraceThatRunsOutFailsNamingTheLaggardUntilItSwitches() async throws {
        try await withReceivingRelay(webhooks: { _ in [] }) { relay, _ in
            let created = try await Self.createSource(relay, name: "acme", provider: .bitbucket)
            let old = try #require(created.secret ?? nil)
            #expect(try await Self.bitbucket(relay, created.id, secret: old, repository: "acme/api").status == 202)
            let rotate = try await relay.request(
                method: .POST, path: "/v1/sources/\(created.id)/secret/rotate", body: #"{"grace":"1s"}"#)
            let new = try #require(try rotate.decoded(SourceResource.self).secret ?? nil)
            #expect(
                try await eventually(timeout: .seconds(5)) {
                    try await Self.source(relay, created.id).secretStatus == .failed
                })
            let failed = try await Self.source(relay, created.id)
            #expect(failed.lagging == ["acme/api"])
            #expect(failed.stateReason?.contains("acme/api still signing with the previous secret") == true)
            #expect(try await Self.bitbucket(relay, created.id, secret: old, repository: "acme/api").status == 401)
            #expect(try await Self.bitbucket(relay, created.id, secret: new, repository: "acme/api").status == 202)
            #expect(try await Self.source(relay, created.id).secretStatus == .secure)

            // No grace: the previous secret goes at once and the source waits for its first request.
            let immediate = try await relay.request(
                method: .POST, path: "/v1/sources/\(created.id)/secret/rotate", body: #"{"grace":"0s"}"#)
            #expect(try immediate.decoded(SourceResource.self).secretStatus == .pending)
            #expect(try await Self.bitbucket(relay, created.id, secret: new, repository: "acme/api").status == 401)
        }
    }

    @Test func sourcesAreManagedThroughTheAPIWithReasonsForBadInput() async throws {
        try await withReceivingRelay(
            webhooks: { _ in [] }, configure: { $0.server.publicURL = "https://relay.example.com" }
        ) {
            relay, _ in
            let created = try await Self.createSource(relay, name: "Jira", provider: .jira)
            #expect(created.url == "https://relay.example.com/v1/inbound/\(created.id)")
            let bad = try await relay.request(
                method: .POST, path: "/v1/sources", body: #"{"name":"","provider":"svn"}"#)
            #expect(bad.status == 422)
            #expect(bad.body.contains("must be 1 to 100 characters") && bad.body.contains("one of github, bitbucket"))
            let taken = try await relay.request(
                method: .POST, path: "/v1/sources", body: #"{"name":"Jira","provider":"github"}"#)
            #expect(taken.status == 422 && taken.body.contains("another source is already named 'Jira'"))
            let renamed = try await relay.request(
                method: .PATCH, path: "/v1/sources/\(created.id)", body: #"{"name":"Jira Cloud"}"#)
            #expect(try renamed.decoded(SourceResource.self).name == "Jira Cloud")
            let provider = try await relay.request(
                method: .PATCH, path: "/v1/sources/\(created.id)", body: #"{"provider":"github"}"#)
            #expect(provider.status == 422 && provider.body.contains("cannot change"))
            let list = try await relay.request(method: .GET, path: "/v1/sources").decoded(SourceList.self)
            #expect(list.sources.map(\.name) == ["Jira Cloud"])
            let raw = try await relay.request(method: .GET, path: "/v1/sources").body
            #expect(raw.contains(#""secrets":["whs…"]"#) && !raw.contains("whsec_"), "reads mask the secret")
            #expect(try await relay.request(method: .DELETE, path: "/v1/sources/\(created.id)").status == 204)
            #expect(try await relay.request(method: .GET, path: "/v1/sources/\(created.id)").status == 404)
            #expect(try await relay.request(method: .GET, path: "/v1/sources", token: nil).status == 401)
        }
    }
}
