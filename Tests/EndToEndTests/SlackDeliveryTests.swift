import Foundation
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

/// Slack incoming webhooks, played by a local receiver that answers as Slack documents: `ok`,
/// error strings, `429` with `Retry-After` (SPEC §5.1, §5.2, §6).
@Suite struct SlackDeliveryTests {
    private static let slackPath = "/services/T0001/B0002/XXXXXXXXXXXXXXXXXXXXXXXX"

    private func slackHook(_ name: String, _ receiver: TestReceiver) throws -> WebhookSpec {
        var spec = try hook(name, url: receiver.url(Self.slackPath))
        spec.kind = .slack
        return spec
    }

    @Test func deliversABlockKitMessageWithEscapedValuesAndNoSignatures() async throws {
        let logs = LogCapture()
        try await withReceivingRelay(
            respond: { _ in ReceiverReply(body: "ok") }, webhooks: { [try slackHook("slack", $0)] }, logs: logs
        ) { relay, receiver in
            let event = #"{"type":"repo.delete","id":"evt-s1","actor":"<!channel> & co","target":"acme/api"}"#
            #expect(try await relay.postEvents(event).status == 202)
            let received = try #require(try await receiver.waitForRequests(1).first)
            #expect(received.path == Self.slackPath)
            #expect(received.headers["content-type"] == "application/json")
            #expect(received.headers["authorization"] == nil)
            #expect(received.headers["webhook-signature"] == nil)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(received.body)) as? [String: Any])
            let text = try #require(body["text"] as? String)
            #expect(text.contains("repo.delete"))
            #expect(text.contains("&lt;!channel&gt; &amp; co"))
            #expect(!received.text.contains("<!channel>"))
            #expect((body["blocks"] as? [Any])?.isEmpty == false)
            let store = try relay.openStore()
            #expect(try await eventually { try await store.attempts().first?.outcome == .delivered })
        }
        #expect(!logs.text.contains("XXXXXXXXXXXXXXXXXXXXXXXX"), "the Slack URL's secret path was logged")
    }

    @Test(
        "Slack's error strings pause the webhook; a 410 channel_is_archived pauses rather than disables",
        arguments: [
            (404, "channel_not_found"), (410, "channel_is_archived"), (403, "invalid_token"),
            (403, "action_prohibited"), (404, "no_service"),
        ])
    func errorStringPausesTheWebhook(status: Int, answer: String) async throws {
        try await withReceivingRelay(
            respond: { _ in ReceiverReply(status: status, body: answer) }, webhooks: { [try slackHook("slack", $0)] }
        ) { relay, _ in
            #expect(try await relay.postEvents(#"{"type":"user.login"}"#).status == 202)
            let store = try relay.openStore()
            #expect(try await eventually { try await store.webhooks().first?.state == .paused })
            let webhook = try #require(try await store.webhooks().first)
            #expect(webhook.stateReason == "Slack refused: \(answer)")
            #expect(try await store.attempts().first?.outcome == .paused)
            #expect(try await store.pendingDepth() == 2, "the message stays queued, and the record of the pause")
        }
    }

    @Test func invalidPayloadFailsThatMessageOnly() async throws {
        try await withReceivingRelay(
            respond: { request in
                request.text.contains("bad-one")
                    ? ReceiverReply(status: 400, body: "invalid_payload") : ReceiverReply(body: "ok")
            },
            webhooks: { [try slackHook("slack", $0)] }
        ) { relay, _ in
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"bad-one"}"#).status == 202)
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"good-one"}"#).status == 202)
            let store = try relay.openStore()
            #expect(try await eventually { try await store.attempts().count == 2 })
            let outcomes = Dictionary(uniqueKeysWithValues: try await store.attempts().map { ($0.eventID, $0) })
            #expect(outcomes["bad-one"]?.outcome == .failed)
            #expect(outcomes["bad-one"]?.error == "Slack answered invalid_payload")
            #expect(outcomes["good-one"]?.outcome == .delivered)
            #expect(try await store.webhooks().first?.state == .active)
        }
    }

    @Test func slackIsHeldToTheConfiguredRateWhileOtherWebhooksAreNot() async throws {
        try await withReceivingRelay(
            respond: { _ in ReceiverReply(body: "ok") },
            webhooks: { [try slackHook("slack", $0), try hook("siem", url: $0.url("/siem"))] },
            configure: {
                $0.delivery.slackRate = 4
                $0.delivery.slackBurst = 2
            }
        ) { relay, receiver in
            let batch = (1...10).map { #"{"type":"user.login","id":"rate-\#($0)"}"# }.joined(separator: "\n")
            #expect(try await relay.postEvents(batch, contentType: "application/x-ndjson").status == 202)
            let slack = try await receiver.waitForRequests(10, path: Self.slackPath, timeout: .seconds(15))
            let siem = try await receiver.waitForRequests(10, path: "/siem")
            // When the relay sent them (its attempt records), not when they arrived: arrival
            // adds connection set-up and scheduling noise. 2 at once, then 8 at 4 a second:
            // the tenth goes 2 s after the first is claimed (less the first's set-up, which a busy
            // machine can stretch). Unlimited, a few milliseconds.
            let store = try relay.openStore()
            #expect(try await eventually { try await store.attempts(limit: 100).count == 20 })
            let slackSends = try await store.attempts(limit: 100).filter { $0.webhookName == "slack" }
                .map(\.startedAt).sorted()
            let siemSends = try await store.attempts(limit: 100).filter { $0.webhookName == "siem" }
                .map(\.startedAt).sorted()
            let slackSpan = try #require(slackSends.last) - slackSends[0]
            let siemSpan = try #require(siemSends.last) - siemSends[0]
            #expect(slackSends.count == 10 && siemSends.count == 10)
            #expect(slackSpan >= 1750, "10 Slack messages sent within \(slackSpan) ms")
            // Held to Slack's rate, the custom webhook's sends would spread as wide; a stalled
            // machine can stretch them, so no fixed margin is asked.
            #expect(
                siemSends[9] < slackSends[9] && siemSpan < slackSpan,
                "the custom webhook was held back: its sends spread over \(siemSpan) ms, Slack's \(slackSpan) ms")
            #expect(siem.count == 10 && slack.count == 10)
        }
    }

    @Test func a429WithRetryAfterThrottlesThatWebhookOnly() async throws {
        let calls = Counter()
        try await withReceivingRelay(
            respond: { request in
                guard request.path == Self.slackPath else { return ReceiverReply() }
                return calls.next() == 1
                    ? ReceiverReply(status: 429, headers: ["Retry-After": "2"], body: "rate_limited")
                    : ReceiverReply(body: "ok")
            },
            webhooks: { [try slackHook("slack", $0), try hook("siem", url: $0.url("/siem"))] }
        ) { relay, receiver in
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"first"}"#).status == 202)
            _ = try await receiver.waitForRequests(1, path: Self.slackPath)
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"second"}"#).status == 202)
            let siem = try await receiver.waitForRequests(2, path: "/siem")
            let slack = try await receiver.waitForRequests(3, path: Self.slackPath, timeout: .seconds(10))
            #expect(slack[1].receivedAt - slack[0].receivedAt >= .milliseconds(1900))
            // The other webhook got its second event while Slack's was held.
            #expect(siem[1].receivedAt < slack[1].receivedAt, "the other webhook waited too")
            #expect(
                Set(slack.dropFirst().compactMap { $0.text.contains("second") ? "second" : "first" }).count == 2)
            let store = try relay.openStore()
            #expect(try await eventually { try await store.pendingDepth() == 0 })
        }
    }
}
