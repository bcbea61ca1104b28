import Foundation
import Testing

@testable import RelayCore

/// Secrets, authorization and custom-header rules (SPEC §3.2), as WebhookSpec reports them.
@Suite struct WebhookRulesTests {
    private func spec(
        kind: WebhookKind = .custom, secrets: [String] = [], authorization: String? = nil,
        headers: [String: String] = [:]
    ) throws -> WebhookSpec {
        WebhookSpec(
            name: "w", kind: kind, url: "https://hooks.example.com/in", events: [try EventTypePattern(parsing: "*")],
            secrets: secrets, authorization: authorization, headers: headers)
    }

    @Test func tenSecretsAreAllowedAndAnEleventhIsNot() throws {
        let ten = (1...10).map { "secret-\($0)" }
        #expect(try spec(secrets: ten).problems().isEmpty)
        let problems = try spec(secrets: ten + ["eleven"]).problems()
        #expect(problems.map(\.field) == ["secrets"])
        #expect(problems.first?.reason.contains("at most 10") == true)
    }

    @Test(arguments: ["", " leading", "trailing ", String(repeating: "x", count: 257), "tab\tinside"])
    func badSecretsNameTheirIndex(secret: String) throws {
        let problems = try spec(secrets: ["good", secret]).problems()
        #expect(problems.map(\.field) == ["secrets[1]"])
    }

    @Test func generatedSecretsAreWhsecAndThirtyTwoRandomBytes() {
        let first = WebhookSecrets.generate()
        let second = WebhookSecrets.generate()
        #expect(first.hasPrefix("whsec_"))
        #expect(Data(base64Encoded: String(first.dropFirst(6)))?.count == 32)
        #expect(first != second)
        #expect(WebhookSecrets.problem(first) == nil)
        #expect(WebhookSecrets.mask(first) == "whs…")
    }

    @Test(arguments: ["Bearer abc", "Splunk 00000000-0000", "Basic dXNlcjpwYXNz", "SharedAccessSignature sr=a&sig=b"])
    func validAuthorization(value: String) throws {
        #expect(try spec(authorization: value).problems().isEmpty)
    }

    @Test(arguments: [
        "Bearer", "Bearer ", "Bearer  double", " Bearer x", "Bad\u{0}Scheme x", "Bearer a\r\nX-Evil: 1", "Bé x",
    ])
    func invalidAuthorization(value: String) throws {
        let problems = try spec(authorization: value).problems()
        #expect(problems.map(\.field) == ["authorization"])
    }

    @Test(arguments: [
        "Host", "content-length", "Transfer-Encoding", "Connection", "AUTHORIZATION", "X-Soteri-Signature",
        "webhook-id",
        "Webhook-Signature", "webhook-timestamp", "X-Hub-Signature-256", "x-hub-signature", "X-AuditRelay-Attempt",
        "x-auditrelay-anything",
    ])
    func reservedHeaderNamesAreRefused(name: String) throws {
        let problems = try spec(headers: [name: "v"]).problems()
        #expect(problems.map(\.field) == ["headers.\(name)"])
        #expect(problems.first?.reason.contains("set by the relay") == true)
    }

    @Test func contentTypeMayBeOverridden() throws {
        #expect(try spec(headers: ["Content-Type": "application/x-ndjson", "X-Tenant": "acme"]).problems().isEmpty)
    }

    @Test(arguments: [("Bad Name", "v"), ("X-Ok", "a\r\nb"), ("X-Ok", "nul\u{0}"), ("", "v"), ("X(y)", "v")])
    func badHeadersNameTheField(name: String, value: String) throws {
        let problems = try spec(headers: [name: value]).problems()
        #expect(problems.count == 1)
        #expect(problems.first?.field == "headers.\(name)")
    }

    @Test func countAndSizeLimits() throws {
        let many = Dictionary(uniqueKeysWithValues: (1...33).map { ("X-H\($0)", "v") })
        #expect(try spec(headers: many).problems().map(\.field) == ["headers"])
        let big = ["X-Big": String(repeating: "v", count: 8200)]
        #expect(try spec(headers: big).problems().first?.reason.contains("8192") == true)
        let thirtyTwo = Dictionary(uniqueKeysWithValues: (1...32).map { ("X-H\($0)", "v") })
        #expect(try spec(headers: thirtyTwo).problems().isEmpty)
    }

    @Test func slackWebhooksRefuseCustomOnlyFields() throws {
        let problems = try spec(kind: .slack, secrets: ["s"], authorization: "Bearer x", headers: ["X-A": "b"])
            .problems()
        #expect(Set(problems.map(\.field)) == ["secrets", "authorization", "headers"])
        #expect(problems.allSatisfy { $0.reason == "applies to custom webhooks only" })
    }

    @Test func aPatchKeepsTheStateUnlessItSwitchesEnabled() throws {
        let spec = WebhookSpec(
            name: "siem", url: "https://siem.example.com/in", events: [try EventTypePattern(parsing: "*")])
        var paused = spec.makeWebhookForAPI(id: "wh_1", now: 1)
        paused.state = .paused
        paused.stateReason = "destination refused: HTTP 401"
        for switching in [nil, true] {
            let kept = spec.patched(onto: paused, switching: switching)
            #expect(kept.state == .paused && kept.stateReason == "destination refused: HTTP 401", "\(switching as Any)")
        }
        let disabled = spec.patched(onto: paused, switching: false)
        #expect(disabled.state == .disabled && disabled.stateReason == WebhookSpec.disabledByOperatorReason)
        let enabled = spec.patched(onto: disabled, switching: true)
        #expect(enabled.state == .active && enabled.stateReason == nil)
        #expect(enabled.createdAt == paused.createdAt && enabled.id == "wh_1")
    }

    @Test func aWebhookCreatedSwitchedOffThroughTheAPISaysAnOperatorDidIt() throws {
        var spec = WebhookSpec(
            name: "siem", url: "https://siem.example.com/in", events: [try EventTypePattern(parsing: "*")])
        spec.enabled = false
        let webhook = spec.makeWebhookForAPI(id: "wh_1", now: 1)
        #expect(webhook.state == .disabled && webhook.stateReason == WebhookSpec.disabledByOperatorReason)
    }
}

/// The delivery rules a webhook's kind sets for its lane.
@Suite struct LaneRulesTests {
    @Test(arguments: WebhookKind.allCases)
    func slackGetsOneRequestAtATimeAndAShareOfItsURLsRate(_ kind: WebhookKind) throws {
        let url = kind == .slack ? "https://hooks.slack.com/services/T0/B0/x" : "https://siem.example.com/in"
        var spec = WebhookSpec(name: "w", kind: kind, url: url, events: [try EventTypePattern(parsing: "*")])
        if kind == .custom { spec.batch = BatchSettings(maxEvents: 50) }
        let webhook = spec.makeWebhook(id: "wh_1", now: 0)
        #expect(webhook.concurrency(configured: 8) == (kind == .slack ? 1 : 8))
        #expect(webhook.isRateLimitedByURL == (kind == .slack))
        #expect(webhook.batching.maxEvents == (kind == .slack ? 1 : 50))
    }

    @Test func onlyOneMessageRequestsGetADeeperPipeline() throws {
        let events = [try EventTypePattern(parsing: "*")]
        var single = WebhookSpec(name: "siem", url: "https://siem.example.com/in", events: events)
        #expect(single.makeWebhook(id: "wh_1", now: 0).pipelineDepth == 4)
        single.batch = BatchSettings(maxEvents: 1)
        #expect(single.makeWebhook(id: "wh_1", now: 0).pipelineDepth == 4, "a batch of one is one message a request")
        single.batch = BatchSettings(maxEvents: 100)
        #expect(single.makeWebhook(id: "wh_1", now: 0).pipelineDepth == 1, "a round of batches is big already")
        let slack = WebhookSpec(
            name: "alerts", kind: .slack, url: "https://hooks.slack.com/services/T0/B0/x", events: events)
        #expect(slack.makeWebhook(id: "wh_2", now: 0).pipelineDepth == 1, "Slack's claims take rate tokens")
    }
}
