import Foundation
import RelayCore
import RelayTestSupport
import Testing

/// The API types clients write are read by the server's field-by-field readers as they mean, and
/// the types the server writes read back as they were, `null` and absent members included.
@Suite struct APITypeTests {
    private static func members(_ value: some Encodable) throws -> [String: JSONValue] {
        try JSONValue.object(from: Array(try JSONEncoder().encode(value)))
    }

    @Test func theIngestAnswerWrittenByHandIsWhatAnEncoderWouldWrite() throws {
        for accepted in [
            IngestAccepted(accepted: 0, duplicates: 0, ids: []),
            IngestAccepted(accepted: 2, duplicates: 1, ids: ["evt_1", #"quote " and \ and \#n"#, "évé"]),
        ] {
            #expect(try JSONDecoder().decode(IngestAccepted.self, from: Data(accepted.json)) == accepted)
            #expect(try JSONValue.object(from: accepted.json) == Self.members(accepted))
        }
    }

    @Test func aFullCreateRequestIsReadAsItMeans() throws {
        let issued = try TestClientCA().issue()
        var request = WebhookRequest(
            name: "SIEM", kind: .custom, url: "https://siem.example.com/in", events: ["repo.*"])
        request.format = .splunkHEC
        request.secrets = ["whsec_abcdef"]
        request.headers = ["X-Tenant": "acme"]
        request.enabled = false
        request.allowPrivateNetwork = true
        request.hubSignature = true
        request.splunk = .init(sourcetype: "acme:audit", index: "main")
        request.batch = .set(.init(maxEvents: 50, maxWait: "2s"))
        request.auth = .set(
            .init(tokenUrl: "https://login.example.com/token", clientId: "client", clientSecret: "secret", scope: "s"))
        request.clientCertificate = .set(issued.certificatePEM)
        request.clientKey = issued.keyPEM
        let json = try Self.members(request)
        var authorized = WebhookRequest()  // `authorization` and `auth` do not go together
        authorized.authorization = .set("Bearer abc")
        let written = Set(json.keys).union(try Self.members(authorized).keys)
        #expect(written == WebhookInput.fields, "every member a client can write is one the server reads")

        let spec = try WebhookInput.create(from: json)
        #expect(spec.name == "SIEM" && spec.kind == .custom && spec.url == "https://siem.example.com/in")
        #expect(spec.events.map(\.description) == ["repo.*"])
        #expect(spec.format == .splunkHEC)
        #expect(spec.secrets == ["whsec_abcdef"])
        #expect(spec.headers == ["X-Tenant": "acme"])
        #expect(!spec.enabled && spec.allowPrivateNetwork && spec.hubSignature)
        #expect(spec.splunk == SplunkFields(sourcetype: "acme:audit", index: "main"))
        #expect(spec.batch == BatchSettings(maxEvents: 50, maxWait: RelayDuration(milliseconds: 2000)))
        #expect(
            spec.auth
                == OAuth2ClientCredentials(
                    tokenURL: "https://login.example.com/token", clientID: "client", clientSecret: "secret", scope: "s")
        )
        #expect(spec.clientCertificate?.certificatePEM.contains(issued.certificatePEM.prefix(40)) == true)
    }

    @Test func nullMembersClearOnAPatchAndAbsentOnesKeepTheirValues() throws {
        let issued = try TestClientCA().issue()
        let webhook = WebhookSpec(
            name: "SIEM", url: "https://siem.example.com/in", events: [try EventTypePattern(parsing: "*")],
            authorization: "Bearer abc", batch: BatchSettings(maxEvents: 5),
            clientCertificate: try ClientCertificate(certificatePEM: issued.certificatePEM, keyPEM: issued.keyPEM)
        ).makeWebhookForAPI(id: "wh_1", now: 0)
        var request = WebhookRequest()
        request.authorization = .clear
        request.batch = .clear
        request.clientCertificate = .clear
        let json = try Self.members(request)
        #expect(json == ["authorization": .null, "batch": .null, "clientCertificate": .null])
        let updated = try WebhookInput.update(webhook, with: json)
        #expect(updated.authorization == nil && updated.batch == nil && updated.clientCertificate == nil)
        #expect(updated.name == "SIEM" && updated.url == webhook.url)

        let untouched = try WebhookInput.update(webhook, with: try Self.members(WebhookRequest()))
        #expect(untouched.authorization == "Bearer abc" && untouched.batch == BatchSettings(maxEvents: 5))
    }

    @Test func aReplayBodyIsReadAsItMeans() throws {
        let body = ReplayRequest.Body(since: "2026-11-24T00:00:00Z", status: .failed, dryRun: true)
        let replay = try ReplayRequest(json: try Self.members(body))
        #expect(replay.since == RFC3339.parseMillis("2026-11-24T00:00:00Z"))
        #expect(replay.until == nil && replay.status == .failed && replay.dryRun)
    }

    @Test func webhookReadsKeepNullAndAbsentMembersApart() throws {
        let events = [try EventTypePattern(parsing: "*")]
        let health = WebhookHealthResource(
            queueDepth: 0, oldestPendingAt: nil, lastSuccessAt: nil, lastFailureAt: nil, lastFailureReason: nil,
            consecutiveFailures: 0)
        let custom = WebhookResource(
            WebhookSpec(name: "c", url: "https://siem.example.com/in", events: events).makeWebhookForAPI(
                id: "wh_c", now: 0), health: health)
        let slack = WebhookResource(
            WebhookSpec(
                name: "s", kind: .slack, url: "https://hooks.slack.com/services/T1/B2/secretpath", events: events
            )
            .makeWebhookForAPI(id: "wh_s", now: 0), health: health)

        let customJSON = try Self.members(custom)
        for member in ["authorization", "stateReason", "splunk", "batch", "auth", "clientCertificate"] {
            #expect(customJSON[member] == .null, "\(member) is written as null")
        }
        #expect(customJSON["format"] == .string("json"))
        let slackJSON = try Self.members(slack)
        for member in ["format", "splunk", "batch", "auth", "clientCertificate"] {
            #expect(slackJSON[member] == nil, "\(member) is left out of a Slack webhook")
        }
        #expect(slackJSON["url"]?.string?.contains("secretpath") == false)

        for resource in [custom, slack] {
            let decoded = try JSONDecoder().decode(WebhookResource.self, from: try JSONEncoder().encode(resource))
            #expect(decoded == resource)
        }
        #expect(custom.batch == .some(nil) && slack.batch == nil)
    }

    @Test func problemsReadBackAndListErrorsOnlyWhenThereAreSome() throws {
        let invalid = RelayProblem.invalid([FieldError(field: "url", reason: "only https is allowed")])
        let plain = RelayProblem(status: 404, title: "Not Found", detail: "no webhook has the id wh_x")
        #expect(try Self.members(plain)["errors"] == nil)
        #expect(try Self.members(invalid)["type"] == .string("about:blank"))
        for problem in [invalid, plain] {
            #expect(try JSONDecoder().decode(RelayProblem.self, from: try JSONEncoder().encode(problem)) == problem)
        }
    }
}
