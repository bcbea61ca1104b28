import Foundation
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

/// What a receiver verifies on a real delivery, and what never leaves the relay (SPEC §3.2, §4).
@Suite struct SigningTests {
    static let secrets = ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "second-plain-secret", "third-secret-ünï"]

    @Test func aReceiverVerifiesAllThreeSchemesWithThreeSecrets() async throws {
        let webhooks = { (receiver: TestReceiver) throws -> [WebhookSpec] in
            var spec = try hook("signed", url: receiver.url())
            spec.secrets = Self.secrets
            spec.hubSignature = true
            return [spec]
        }
        try await withReceivingRelay(webhooks: webhooks) { relay, receiver in
            #expect(try await relay.postEvents(#"{"type":"user.login","actor":"ünï"}"#).status == 202)
            let request = try #require(try await receiver.waitForRequests(1).first)
            let soteri = try #require(request.headers["x-soteri-signature"]).split(separator: ",")
            #expect(soteri.count == 3)
            #expect(request.headers["webhook-signature"]?.split(separator: " ").count == 3)
            #expect(request.headers["webhook-id"] == request.headers["x-auditrelay-message-id"])
            let timestamp = try #require(Int64(request.headers["webhook-timestamp"] ?? ""))
            #expect(abs(timestamp - WallClock.nowMillis() / 1000) < 30)
            // Each secret alone verifies every scheme that uses it.
            for (index, secret) in Self.secrets.enumerated() {
                let results = SignatureVerifier.verify(
                    headers: HeaderFields(request.headers), body: request.body, secrets: [secret],
                    now: WallClock.nowMillis() / 1000)
                let matched = results.filter { $0.matchedSecret == 0 }.map(\.scheme)
                let expected =
                    ["X-Soteri-Signature", "webhook-signature"] + (index == 0 ? ["X-Hub-Signature-256"] : [])
                #expect(matched == expected, "secret \(index)")
            }
            // `hubSignature` also sends `X-Hub-Signature`, as Bitbucket and Jira receivers read it.
            let hubHeaders = request.headers.filter { $0.key != "x-hub-signature-256" }
            #expect(
                SignatureVerifier.verifyInbound(
                    .bitbucket, headers: HeaderFields(hubHeaders), body: request.body, secrets: [Self.secrets[0]],
                    now: 0
                ).matchedSecret == 0)
            var tampered = request.body
            tampered[tampered.count - 2] ^= 1
            let refused = SignatureVerifier.verify(
                headers: HeaderFields(request.headers), body: tampered, secrets: Self.secrets,
                now: WallClock.nowMillis() / 1000)
            #expect(refused.allSatisfy { $0.matchedSecret == nil })
        }
    }

    @Test func aRetryKeepsWebhookIDAndSignsAgainWithItsOwnTimestamp() async throws {
        let calls = Counter()
        let secrets = [Self.secrets[0]]
        try await withReceivingRelay(
            respond: { _ in calls.next() == 1 ? ReceiverReply(status: 503) : ReceiverReply() },
            webhooks: { receiver in
                var spec = try hook("signed", url: receiver.url())
                spec.secrets = secrets
                return [spec]
            }
        ) { relay, receiver in
            #expect(try await relay.postEvents(#"{"type":"user.login"}"#).status == 202)
            let requests = try await receiver.waitForRequests(2)
            #expect(requests[0].headers["webhook-id"] == requests[1].headers["webhook-id"])
            for request in requests {
                let results = SignatureVerifier.verify(
                    headers: HeaderFields(request.headers), body: request.body, secrets: secrets,
                    now: WallClock.nowMillis() / 1000)
                #expect(results.count == 2)
                #expect(results.allSatisfy { $0.matchedSecret == 0 })
            }
        }
    }

    @Test func plaintextSecretsAreNeitherStoredNorLogged() async throws {
        let authorization = "Splunk authorization-plaintext-4f1c"
        let logs = LogCapture()
        let directory = try await withReceivingRelay(
            respond: { _ in ReceiverReply(status: 500) },
            webhooks: { receiver in
                var spec = try hook("secretive", url: receiver.url())
                spec.secrets = ["signing-secret-plaintext-9a2b"]
                spec.authorization = authorization
                return [spec]
            },
            logs: logs
        ) { relay, receiver in
            #expect(try await relay.postEvents(#"{"type":"user.login"}"#).status == 202)
            let requests = try await receiver.waitForRequests(2)
            #expect(requests[0].headers["authorization"] == authorization)
            let store = try relay.openStore()
            #expect(try await eventually { try await store.attempts().count >= 2 })
            let attempts = try await store.attempts()
            let recorded = attempts.map { "\($0)" }.joined()
            #expect(!recorded.contains("plaintext"))
            return URL(fileURLWithPath: relay.configuration.store.path).deletingLastPathComponent()
        }
        #expect(!logs.text.isEmpty, "the relay logged nothing at trace level")
        #expect(!logs.text.contains("plaintext"))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.contains("relay.sqlite"))
        for file in files {
            let bytes = try Data(contentsOf: directory.appendingPathComponent(file))
            #expect(bytes.range(of: Data("plaintext".utf8)) == nil, "\(file) holds a plaintext secret")
        }
    }
}
