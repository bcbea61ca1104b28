import Foundation
import NIOHTTP1
import RelayCore
import RelayStore
import RelayTestSupport
import Synchronization
import Testing

/// Microsoft Sentinel through the Azure Monitor Logs Ingestion API, played by a local token
/// endpoint (OAuth 2.0 client credentials, as Microsoft Entra ID answers) and a local ingestion
/// endpoint that takes a JSON array with a current bearer token and answers `204`.
@Suite struct SentinelDeliveryTests {
    static let clientSecret = "Qx8Q~sentinel-client-secret-value"
    static let ingestPath = "/dataCollectionRules/dcr-0001/streams/Custom-AuditRelay_CL"

    /// A token endpoint that issues `t1`, `t2`, … and an ingestion endpoint that accepts only
    /// the tokens `accepts` allows.
    final class Azure: Sendable {
        let issued = Mutex<[String]>([])
        let lifetimeSeconds: Int
        let accepts: @Sendable (String) -> Bool

        init(lifetimeSeconds: Int = 3599, accepts: @escaping @Sendable (String) -> Bool = { _ in true }) {
            self.lifetimeSeconds = lifetimeSeconds
            self.accepts = accepts
        }

        func respond(_ request: ReceivedRequest) -> ReceiverReply {
            if request.path.hasSuffix("/oauth2/v2.0/token") {
                let form = request.text
                guard form.contains("client_secret=\(SentinelDeliveryTests.formSecret)"),
                    form.contains("grant_type=client_credentials")
                else {
                    return ReceiverReply(
                        status: 401,
                        body:
                            #"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}"#
                    )
                }
                let token = issued.withLock {
                    $0.append("t\($0.count + 1)")
                    return $0.last!
                }
                return ReceiverReply(
                    headers: ["Content-Type": "application/json"],
                    body:
                        #"{"token_type":"Bearer","expires_in":\#(lifetimeSeconds),"ext_expires_in":\#(lifetimeSeconds),"access_token":"\#(token)"}"#
                )
            }
            guard let authorization = request.headers["authorization"], authorization.hasPrefix("Bearer "),
                accepts(String(authorization.dropFirst(7)))
            else {
                return ReceiverReply(status: 401, body: #"{"error":{"code":"InvalidToken","message":"expired"}}"#)
            }
            return ReceiverReply(status: 204)
        }

        var tokensIssued: Int { issued.withLock(\.count) }
    }

    static let formSecret = OAuth2ClientCredentialsForm.encode(clientSecret)

    private func sentinelHook(_ receiver: TestReceiver, secret: String = clientSecret) throws -> WebhookSpec {
        var spec = try hook("sentinel", url: receiver.url(Self.ingestPath + "?api-version=2023-01-01"))
        spec.format = .sentinel
        spec.auth = OAuth2ClientCredentials(
            tokenURL: receiver.url("/tenant-1/oauth2/v2.0/token"), clientID: "00000000-1111-2222-3333-444444444444",
            clientSecret: secret, scope: "https://monitor.azure.com//.default")
        return spec
    }

    @Test func deliversRecordsWithACachedBearerToken() async throws {
        let azure = Azure()
        try await withReceivingRelay(respond: { azure.respond($0) }, webhooks: { [try sentinelHook($0)] }) {
            relay, receiver in
            let event = #"{"type":"user.login","id":"az-1","time":"2026-11-24T10:00:00Z","actor":"alice"}"#
            #expect(try await relay.postEvents(event).status == 202)
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"az-2"}"#).status == 202)
            let ingested = try await receiver.waitForRequests(2, path: Self.ingestPath)
            #expect(ingested[0].headers["authorization"] == "Bearer t1")
            #expect(ingested[1].headers["authorization"] == "Bearer t1")
            #expect(azure.tokensIssued == 1)
            let bodies = try ingested.map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.body)) as? [[String: Any]])
            }
            #expect(bodies.map(\.count) == [1, 1])
            let records = try #require(bodies.first { $0.first?["EventId"] as? String == "az-1" })
            #expect(records[0]["TimeGenerated"] as? String == "2026-11-24T10:00:00.000Z")
            #expect(records[0]["EventId"] as? String == "az-1")
            #expect(records[0]["EventType"] as? String == "user.login")
            #expect((records[0]["Event"] as? [String: Any])?["actor"] as? String == "alice")
            let store = try relay.openStore()
            #expect(
                try await eventually { try await store.attempts().filter { $0.outcome == .delivered }.count == 2 })
            #expect(try await store.attempts().first?.httpStatus == 204)
        }
    }

    @Test func theTokenIsRefreshedBeforeItExpires() async throws {
        let azure = Azure(lifetimeSeconds: 2)
        try await withReceivingRelay(respond: { azure.respond($0) }, webhooks: { [try sentinelHook($0)] }) {
            relay, receiver in
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"exp-1"}"#).status == 202)
            _ = try await receiver.waitForRequests(1, path: Self.ingestPath)
            // A 2 s token is replaced after 1.6 s.
            try await Task.sleep(for: .milliseconds(1800))
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"exp-2"}"#).status == 202)
            let ingested = try await receiver.waitForRequests(2, path: Self.ingestPath)
            #expect(ingested.map { $0.headers["authorization"] } == ["Bearer t1", "Bearer t2"])
            #expect(azure.tokensIssued == 2)
        }
    }

    @Test func a401FetchesANewTokenAndSendsOnceMore() async throws {
        let azure = Azure(accepts: { $0 != "t1" })
        try await withReceivingRelay(respond: { azure.respond($0) }, webhooks: { [try sentinelHook($0)] }) {
            relay, receiver in
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"401-1"}"#).status == 202)
            let ingested = try await receiver.waitForRequests(2, path: Self.ingestPath)
            #expect(ingested.map { $0.headers["authorization"] } == ["Bearer t1", "Bearer t2"])
            let store = try relay.openStore()
            #expect(try await eventually { try await store.attempts().first?.outcome == .delivered })
            #expect(try await store.attempts().count == 1, "the refresh is part of the one attempt")
            #expect(try await store.attempts().first?.attempt == 1)
        }
    }

    @Test func aRefusedTokenTwiceInARowPausesTheWebhook() async throws {
        let azure = Azure(accepts: { _ in false })
        try await withReceivingRelay(respond: { azure.respond($0) }, webhooks: { [try sentinelHook($0)] }) {
            relay, receiver in
            #expect(try await relay.postEvents(#"{"type":"user.login"}"#).status == 202)
            let store = try relay.openStore()
            #expect(try await eventually { try await store.webhooks().first?.state == .paused })
            #expect(receiver.requests(path: Self.ingestPath).count == 2)
            #expect(try await store.webhooks().first?.stateReason == "destination refused: HTTP 401")
        }
    }

    @Test func wrongClientCredentialsPauseTheWebhookWithoutShowingTheSecret() async throws {
        let azure = Azure()
        let wrong = "wrong-secret-value-0123456789"
        let directory = try await withReceivingRelay(
            respond: { azure.respond($0) }, webhooks: { [try sentinelHook($0, secret: wrong)] }
        ) { relay, receiver in
            #expect(try await relay.postEvents(#"{"type":"user.login"}"#).status == 202)
            let store = try relay.openStore()
            #expect(try await eventually { try await store.webhooks().first?.state == .paused })
            let reason = try #require(try await store.webhooks().first?.stateReason)
            #expect(reason.contains("invalid_client"))
            #expect(!reason.contains(wrong))
            #expect(receiver.requests(path: Self.ingestPath).isEmpty)
            let attempt = try #require(try await store.attempts().first)
            #expect(attempt.outcome == .paused)
            #expect(attempt.error?.contains(wrong) == false)
            let read = try await relay.request(method: .GET, path: "/v1/webhooks", token: "test-admin-token")
            #expect(!read.body.contains(wrong))
            #expect(read.body.contains(#""clientSecret":"wro…""#))
            return URL(fileURLWithPath: relay.configuration.store.path).deletingLastPathComponent()
        }
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            let bytes = try Data(contentsOf: directory.appendingPathComponent(file))
            #expect(bytes.range(of: Data(wrong.utf8)) == nil, "\(file) holds the client secret in plain text")
        }
    }
}

/// Form encoding as the token request uses it, to match the secret on the receiving side.
enum OAuth2ClientCredentialsForm {
    static func encode(_ value: String) -> String {
        let request = OAuth2ClientCredentials(tokenURL: "https://x.example", clientID: "c", clientSecret: value)
            .tokenRequest()
        let body = String(decoding: request.body, as: UTF8.self)
        let field = body.split(separator: "&").first { $0.hasPrefix("client_secret=") } ?? ""
        return String(field.dropFirst("client_secret=".count))
    }
}
