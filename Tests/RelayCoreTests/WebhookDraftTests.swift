import Foundation
import RelayCore
import Testing

/// The settings page's editor steps: each refuses with the API's own rule, and Save's members are
/// what the admin API's update then reads.
@Suite struct WebhookDraftTests {
    static let stored = Webhook(
        id: "wh_1", name: "SIEM", kind: .custom, url: "https://siem.example.com/in",
        events: [try! EventTypePattern(parsing: "*")], secrets: ["first-secret-1", "second-secret-2"],
        authorization: "Bearer abc123", headers: ["X-Team": "blue"], createdAt: 1_000, updatedAt: 2_000)

    static let health = WebhookHealthResource(
        queueDepth: 0, oldestPendingAt: nil, lastSuccessAt: nil, lastFailureAt: nil, lastFailureReason: nil,
        consecutiveFailures: 0)

    static var draft: WebhookDraft {
        WebhookDraft(WebhookResource(stored, health: health))
    }

    @Test func anUntouchedDraftSavesWhatIsStoredAndLeavesEnabledAndAuthorizationAlone() throws {
        let members = try Self.draft.patch(onto: Self.stored)
        #expect(members["name"] == .string("SIEM"))
        #expect(members["events"] == .array([.string("*")]))
        #expect(members["secrets"] == .array([.string("first-secret-1"), .string("second-secret-2")]))
        #expect(members["headers"] == .object(["X-Team": .string("blue")]))
        #expect(members["batch"] == .null)
        #expect(members["authorization"] == nil, "kept: not sent")
        #expect(members["enabled"] == nil, "unchanged: not sent, so a paused webhook stays paused")
        let spec = try WebhookInput.update(Self.stored, with: members)
        #expect(spec.secrets == Self.stored.secrets)
        #expect(spec.authorization == "Bearer abc123")
    }

    @Test func secretsAreKeptByIndexAddedAfterAndTheEleventhIsRefused() throws {
        var draft = Self.draft
        draft.keptSecrets = [1]
        try draft.addSecret("third-secret-3")
        let members = try draft.patch(onto: Self.stored)
        #expect(members["secrets"] == .array([.string("second-secret-2"), .string("third-secret-3")]))

        for number in 0..<8 { try draft.addSecret("more-secret-\(number)") }
        #expect(draft.secretCount == 10)
        #expect(throws: FieldError(field: "secret", reason: "at most 10 secrets are allowed; remove one first")) {
            try draft.addSecret("eleventh-secret")
        }
        var fresh = Self.draft
        #expect(throws: FieldError.self) { try fresh.addSecret(" padded ") }
    }

    @Test func authorizationIsSetOrClearedOnlyInTheRightForm() throws {
        var draft = Self.draft
        #expect(throws: FieldError.self) { try draft.setAuthorization("Bearer") }
        #expect(draft.authorization == .keep)
        try draft.setAuthorization("Splunk 1234-abcd")
        #expect(try draft.patch(onto: Self.stored)["authorization"] == .string("Splunk 1234-abcd"))
        draft.authorization = .clear
        #expect(try draft.patch(onto: Self.stored)["authorization"] == .null)
    }

    @Test func headersAndPatternsAreCheckedByTheAPIsRules() throws {
        var draft = Self.draft
        #expect(throws: FieldError.self) { try draft.addHeader(name: "Host", value: "x") }
        #expect(throws: FieldError.self) { try draft.addHeader(name: "x-team", value: "red") }
        #expect(throws: FieldError.self) { try draft.addHeader(name: "Bad Name", value: "x") }
        try draft.addHeader(name: "X-Env", value: "prod")
        #expect(
            try draft.patch(onto: Self.stored)["headers"]
                == .object(["X-Team": .string("blue"), "X-Env": .string("prod")]))
        #expect(throws: FieldError.self) { try draft.addPattern("<script>") }
        try draft.addPattern("repo.*")
        try draft.addPattern("repo.*")
        #expect(draft.events == ["*", "repo.*"])
    }

    @Test func batchFieldsThatAreNotNumbersOrDurationsAreNamed() throws {
        var draft = Self.draft
        draft.batch = WebhookDraft.Batch(maxEvents: "lots", maxBytes: "2048", maxWait: "soon")
        let problem = try #require(throws: RelayProblem.self) { try draft.patch(onto: Self.stored) }
        #expect(problem.errors.map(\.field) == ["batch.maxEvents", "batch.maxWait"])
        draft.batch = WebhookDraft.Batch(maxEvents: "50", maxBytes: "2048", maxWait: "2s")
        let spec = try WebhookInput.update(Self.stored, with: try draft.patch(onto: Self.stored))
        #expect(spec.batch == BatchSettings(maxEvents: 50, maxBytes: 2048, maxWait: .seconds(2)))
    }

    @Test func aWebhookChangedSinceTheEditorOpenedIsNotOverwritten() throws {
        var changed = Self.stored
        changed.updatedAt = 3_000
        let problem = try #require(throws: RelayProblem.self) { try Self.draft.patch(onto: changed) }
        #expect(problem.status == 409)
    }

    @Test func aSlackDraftSendsOnlyWhatASlackWebhookHas() throws {
        var slack = Self.stored
        slack.kind = .slack
        slack.secrets = []
        slack.authorization = nil
        slack.headers = [:]
        var draft = WebhookDraft(WebhookResource(slack, health: Self.health))
        draft.enabled = false
        #expect(draft.url == "", "a Slack URL is a credential and is not carried")
        let members = try draft.patch(onto: slack)
        #expect(Set(members.keys) == ["name", "events", "enabled"])
    }
}
