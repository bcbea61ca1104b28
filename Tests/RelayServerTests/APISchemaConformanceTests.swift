import Foundation
import RelayCore
import RelayTestSupport
import Testing

/// The API types the server writes and the CLI and tests read agree with the OpenAPI document at
/// /openapi.json: every encoded sample conforms to its schema, and every member a schema
/// declares is written by some sample (so neither can drift without this failing).
@Suite struct APISchemaConformanceTests {
    /// Each schema of the document and samples of the type that answers (or asks) with it,
    /// between them filling every optional member and leaving each one out or `null`.
    static func samples() throws -> [(schema: String, values: [any Encodable])] {
        let webhooks = try SampleWebhooks()
        let single = AttemptResource(
            id: 7, messageId: "msg_1", eventId: "evt_1", eventType: "user.login", webhookId: "wh_1",
            webhookName: "SIEM", attempt: 2, startedAt: 1_764_000_000_000, durationMs: 12, httpStatus: 503,
            error: "HTTP 503", outcome: .retrying, nextAttemptAt: 1_764_000_060_000, responseBody: "busy",
            messageCount: 1, messages: nil)
        let member = AttemptResource.Message(
            messageId: "msg_2", eventId: "evt_2", eventType: "repo.deleted", attempt: 1, outcome: .delivered,
            nextAttemptAt: nil, error: nil)
        var batch = single
        batch.messageCount = 2
        batch.messages = [member, member]
        batch.httpStatus = nil
        batch.error = nil
        batch.nextAttemptAt = nil
        let message = MessageResource(
            id: "msg_1", webhookId: "wh_1", sequence: 3, status: .pending, attempts: 1, nextAttemptAt: 1_764_000_060_000
        )
        let event = JSONValue.object([
            "id": .string("evt_1"), "type": .string("user.login"), "time": .string("2026-11-24T10:00:00Z"),
            "actor": .object(["name": .string("alice")]),
        ])
        var rotating = Source(name: "acme GitHub", provider: .github, secret: "whsec_first", now: 1_764_000_000_000)
        _ = rotating.secrets.verified(sender: "acme/api", secret: "whsec_first", now: 1_764_000_001_000)
        rotating.secrets.rotate(to: "whsec_second", grace: 86_400_000, now: 1_764_000_002_000)
        rotating.rejected = 2
        rotating.lastRejectedAt = 1_764_000_003_000
        let sources = [
            SourceResource(
                Source(name: "Jira", provider: .jira, secret: "whsec_new", now: 1_764_000_000_000), publicURL: nil,
                secret: "whsec_new"),
            SourceResource(rotating, publicURL: "https://relay.example.com"),
        ]
        return [
            ("Source", sources), ("SourceList", [SourceList(sources: sources)]),
            ("SourceSender", sources[1].senders), ("SourceSecret", [SourceSecret(secret: "whsec_new")]),
            ("SourceCreate", [SourceRequest(name: "Jira", provider: .jira)]),
            ("SourcePatch", [SourceRequest(name: "x")]),
            ("SourceRotation", [SourceRotation(grace: .seconds(3600)), SourceRotation(grace: nil)]),
            ("Webhook", webhooks.all), ("WebhookList", [WebhookList(webhooks: webhooks.all)]),
            ("WebhookHealth", webhooks.all.map(\.health)),
            ("ClientCertificate", [webhooks.certificate]),
            ("Attempt", [single, batch]), ("AttemptMessage", [member]),
            (
                "DeliveryPage",
                [
                    DeliveryPage(deliveries: [single], nextCursor: "att_7"),
                    DeliveryPage(deliveries: [], nextCursor: nil),
                ]
            ),
            (
                "Message",
                [
                    message,
                    MessageResource(
                        id: "msg_2", webhookId: "wh_1", sequence: 4, status: .delivered, attempts: 1, nextAttemptAt: nil
                    ),
                ]
            ),
            (
                "EventDetail",
                [
                    EventDetailResource(
                        event: event, receivedAt: "2026-11-24T10:00:00.123Z", messages: [message], attempts: [single])
                ]
            ),
            (
                "EventTypeList",
                [
                    EventTypeList(eventTypes: [
                        EventTypeResource(
                            name: "user.login", description: "A user signed in", firstSeenAt: "2026-11-24T10:00:00Z"),
                        EventTypeResource(name: "repo.deleted", description: nil, firstSeenAt: nil),
                    ])
                ]
            ),
            ("IngestAccepted", [IngestAccepted(accepted: 1, duplicates: 1, ids: ["evt_1", "evt_1"])]),
            ("SecretAdded", [SecretAdded(index: 1, secret: "whsec_abc")]),
            ("MessageRetryAccepted", [MessageRetryAccepted(messageId: "msg_1", status: .pending)]),
            ("ReplayResult", [ReplayResult(dryRun: true, count: 1, messageIds: ["msg_1"])]),
            (
                "TestResult",
                [
                    WebhookTestResult(
                        outcome: .delivered, httpStatus: 200, error: nil, durationMs: 5, responseBody: "ok",
                        eventId: "evt_t"),
                    WebhookTestResult(
                        outcome: .retrying, httpStatus: nil, error: "connection refused", durationMs: 1,
                        responseBody: "", eventId: "evt_u"),
                ]
            ),
            (
                "Problem",
                [
                    RelayProblem.invalid([FieldError(field: "url", reason: "only https is allowed")]),
                    RelayProblem(status: 404, title: "Not Found", detail: "no webhook has the id wh_x"),
                ]
            ),
            ("WebhookCreate", [webhooks.fullRequest]),
            ("WebhookPatch", [webhooks.fullRequest, webhooks.clearingRequest]),
            (
                "ReplayRequest",
                [
                    ReplayRequest.Body(
                        since: "2026-11-24T00:00:00Z", until: "2026-11-25T00:00:00Z", status: .failed, dryRun: true)
                ]
            ),
        ]
    }

    static let document: [String: JSONValue] = {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/RelayServer/Resources/openapi.json")
        guard let data = try? Data(contentsOf: file),
            case .object(let document) = try? JSONDecoder().decode(JSONValue.self, from: data)
        else { return [:] }
        return document
    }()

    static var validator: JSONSchemaSubset {
        guard case .object(let components)? = document["components"], case .object(let schemas)? = components["schemas"]
        else { return JSONSchemaSubset(schemas: [:]) }
        return JSONSchemaSubset(schemas: schemas)
    }

    static func encoded(_ value: any Encodable) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(value))
    }

    @Test func everySampleConformsToItsSchema() throws {
        let validator = Self.validator
        #expect(validator.schemas.count > 20, "the document was read")
        for (name, values) in try Self.samples() {
            let schema = try #require(validator.schemas[name], "the document has no schema \(name)")
            for value in values {
                let json = try Self.encoded(value)
                let problems = validator.problems(json, against: schema)
                #expect(problems.isEmpty, "\(type(of: value)) as \(name): \(problems.joined(separator: "; "))")
            }
        }
    }

    @Test func everyDeclaredMemberIsWrittenBySomeSample() throws {
        let validator = Self.validator
        for (name, values) in try Self.samples() {
            let schema = try #require(validator.schemas[name])
            var written = Set<String>()
            for value in values {
                if case .object(let members) = try Self.encoded(value) { written.formUnion(members.keys) }
            }
            let declared = validator.declaredProperties(of: schema)
            #expect(
                declared.subtracting(written).isEmpty,
                "\(name) declares \(declared.subtracting(written).sorted()) that no sample writes")
        }
    }

    @Test func theValidatorRefusesWhatTheSchemaForbids() throws {
        let validator = Self.validator
        let webhook = try #require(validator.schemas["Webhook"])
        var json = try Self.encoded(try SampleWebhooks().all[0])
        guard case .object(var members) = json else { throw CancellationError() }
        members["surprise"] = .bool(true)
        members["state"] = .string("sleeping")
        members.removeValue(forKey: "stateReason")
        json = .object(members)
        let problems = validator.problems(json, against: webhook).joined(separator: "\n")
        #expect(problems.contains("member surprise is not in the schema"))
        #expect(problems.contains("$.state: \"sleeping\" is not one of the enum"))
        #expect(problems.contains("required member stateReason is missing"))
    }
}

/// Webhooks as reads show them: a custom one with every option set, a plain custom one and a
/// Slack one; and requests setting and clearing every member.
private struct SampleWebhooks {
    let all: [WebhookResource]
    let certificate: ClientCertificateResource
    let fullRequest: WebhookRequest
    let clearingRequest: WebhookRequest

    init() throws {
        let issued = try TestClientCA().issue()
        let clientCertificate = try ClientCertificate(certificatePEM: issued.certificatePEM, keyPEM: issued.keyPEM)
        certificate = ClientCertificateResource(clientCertificate)
        let events = [try EventTypePattern(parsing: "repo.*")]
        var full = WebhookSpec(
            name: "SIEM", url: "https://siem.example.com/in", events: events, format: .splunkHEC,
            secrets: ["whsec_abcdef"], authorization: "Splunk abcdef", headers: ["X-Tenant": "acme"],
            allowPrivateNetwork: true, hubSignature: true, splunk: SplunkFields(index: "main", host: "relay-1"),
            batch: BatchSettings(maxEvents: 50),
            auth: OAuth2ClientCredentials(
                tokenURL: "https://login.example.com/token", clientID: "client", clientSecret: "client-secret",
                scope: "https://monitor.azure.com//.default"),
            clientCertificate: clientCertificate
        ).makeWebhookForAPI(id: "wh_full", now: 1_764_000_000_000)
        full.state = .paused
        full.stateReason = "HTTP 401"
        let plain = WebhookSpec(name: "plain", url: "https://siem.example.com/in", events: events)
            .makeWebhookForAPI(id: "wh_plain", now: 1_764_000_000_000)
        let slack = WebhookSpec(
            name: "slack", kind: .slack, url: "https://hooks.slack.com/services/T0001/B0002/abcdefghijklmnop",
            events: events
        ).makeWebhookForAPI(id: "wh_slack", now: 1_764_000_000_000)
        var installed = slack
        installed.id = "wh_installed"
        installed.name = "#general (Acme)"
        installed.slack = SlackInstallation(
            teamID: "T0001", teamName: "Acme", channel: "#general", channelID: "C0001",
            configurationURL: "https://acme.slack.com/services/B0002")
        let busy = WebhookHealthResource(
            queueDepth: 3, oldestPendingAt: 1_764_000_000_000, lastSuccessAt: 1_764_000_000_000,
            lastFailureAt: 1_764_000_001_000, lastFailureReason: "HTTP 401", consecutiveFailures: 2)
        let fresh = WebhookHealthResource(
            queueDepth: 0, oldestPendingAt: nil, lastSuccessAt: nil, lastFailureAt: nil, lastFailureReason: nil,
            consecutiveFailures: 0)
        all = [
            WebhookResource(full, health: busy), WebhookResource(plain, health: fresh),
            WebhookResource(slack, health: fresh), WebhookResource(installed, health: fresh),
        ]
        var request = WebhookRequest(
            name: "SIEM", kind: .custom, url: "https://siem.example.com/in", events: ["repo.*"])
        request.format = .splunkHEC
        request.secrets = ["whsec_abcdef"]
        request.authorization = .set("Splunk abcdef")
        request.headers = ["X-Tenant": "acme"]
        request.enabled = true
        request.allowPrivateNetwork = true
        request.hubSignature = true
        request.splunk = .init(source: "s", sourcetype: "t", index: "main", host: "relay-1")
        request.batch = .set(.init(maxEvents: 50, maxBytes: 100_000, maxWait: "2s"))
        request.auth = .set(
            .init(tokenUrl: "https://login.example.com/token", clientId: "c", clientSecret: "x", scope: "s"))
        request.clientCertificate = .set(issued.certificatePEM)
        request.clientKey = issued.keyPEM
        fullRequest = request
        var clearing = WebhookRequest()
        clearing.authorization = .clear
        clearing.batch = .clear
        clearing.auth = .clear
        clearing.clientCertificate = .clear
        clearingRequest = clearing
    }
}
