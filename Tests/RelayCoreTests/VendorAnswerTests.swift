import Foundation
import RelayCore
import Testing

/// SPEC §5.1 and §6: what Slack's and Splunk HEC's answer bodies add to the status table, for one message and for
/// a batch.
@Suite("Vendor answers")
struct VendorAnswerTests {
    private static func verdict(
        _ status: Int, _ body: String, dialect: ResponseDialect, retryAfter: String? = nil
    ) -> AttemptVerdict {
        DeliveryPolicy.verdict(
            for: Fixture.http(status, retryAfter: retryAfter, body: body), dialect: dialect, now: Fixture.now,
            maxRetryAfterMillis: Fixture.oneHour)
    }

    private static func batchVerdict(
        _ status: Int, _ body: String, count: Int, dialect: ResponseDialect = .splunkHEC
    ) -> BatchVerdict {
        DeliveryPolicy.batchVerdict(
            for: Fixture.http(status, body: body), count: count, dialect: dialect, now: Fixture.now,
            maxRetryAfterMillis: Fixture.oneHour)
    }

    private static let failed400 = AttemptVerdict.failMessage(reason: "destination answered HTTP 400")

    private static func webhook(_ kind: WebhookKind, _ format: MessageFormat) -> Webhook {
        Webhook(
            id: "wh_1", name: "dest", kind: kind, url: "https://collector.example.com/in", events: [], format: format,
            createdAt: 0, updatedAt: 0)
    }

    @Test("Each webhook gets its destination's dialect")
    func dialects() {
        #expect(ResponseDialect(Self.webhook(.slack, .json)) == .slack)
        #expect(ResponseDialect(Self.webhook(.custom, .splunkHEC)) == .splunkHEC)
        #expect(ResponseDialect(Self.webhook(.custom, .json)) == .standard)
        #expect(ResponseDialect(Self.webhook(.custom, .ndjson)) == .standard)
        #expect(ResponseDialect(Self.webhook(.custom, .sentinel)) == .standard)
    }

    // MARK: Slack

    @Test("Slack: 200 ok is delivered")
    func slackOK() {
        #expect(Self.verdict(200, "ok", dialect: .slack) == .delivered)
    }

    @Test("Slack: 400 invalid_payload fails only the message")
    func slackInvalidPayload() {
        let verdict = Self.verdict(400, "invalid_payload", dialect: .slack)
        #expect(verdict == .failMessage(reason: "Slack answered invalid_payload"))
    }

    @Test(
        "Slack: configuration errors pause the webhook",
        arguments: [
            (404, "channel_not_found"), (410, "channel_is_archived"), (404, "no_service"), (403, "invalid_token"),
            (403, "action_prohibited"), (403, "invalid_token\n"),
        ] as [(Int, String)])
    func slackPauses(status: Int, body: String) {
        let verdict = Self.verdict(status, body, dialect: .slack)
        guard case .pauseWebhook(let reason) = verdict else {
            Issue.record("\(status) \(body) must pause the webhook, got \(verdict)")
            return
        }
        #expect(reason.contains(body.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    @Test("Slack: 410 channel_is_archived pauses, it does not disable")
    func slackArchivedIsNotGone() {
        let verdict = Self.verdict(410, "channel_is_archived", dialect: .slack)
        #expect(verdict == .pauseWebhook(reason: "Slack refused: channel_is_archived"))
        #expect(Self.verdict(410, "", dialect: .slack) == .disableWebhook(reason: "destination answered 410 Gone"))
    }

    @Test("Slack: 429 with Retry-After is retried after the delay")
    func slackRateLimited() {
        let verdict = Self.verdict(429, "rate_limited", dialect: .slack, retryAfter: "30")
        #expect(verdict == .retry(retryAfterMillis: 30_000))
        #expect(Self.verdict(500, "rollup_error", dialect: .slack) == .retry(retryAfterMillis: nil))
    }

    @Test("Slack: an unknown error string falls back to the status table")
    func slackUnknownString() {
        let verdict = Self.verdict(400, "some_new_error", dialect: .slack)
        #expect(verdict == Self.failed400)
        let paused = Self.verdict(403, "some_new_error", dialect: .slack)
        #expect(paused == .pauseWebhook(reason: "destination refused: HTTP 403"))
    }

    @Test("The standard dialect ignores bodies")
    func standardIgnoresBodies() {
        let archived = Self.verdict(410, "channel_is_archived", dialect: .standard)
        #expect(archived == .disableWebhook(reason: "destination answered 410 Gone"))
        #expect(Self.verdict(400, "channel_not_found", dialect: .standard) == Self.failed400)
        let hec = #"{"text":"Invalid token","code":4}"#
        #expect(Self.verdict(400, hec, dialect: .standard) == Self.failed400)
        let batch = #"{"text":"Invalid data format","code":6,"invalid-event-number":2}"#
        // Without HEC's event number, a 400 for several messages is halved until the refused one is alone.
        #expect(Self.batchVerdict(400, batch, count: 5, dialect: .standard) == .split)
        #expect(Self.batchVerdict(400, batch, count: 1, dialect: .standard) == .all(Self.failed400))
    }

    // MARK: Splunk HEC

    /// HEC's token errors: code → (status, text).
    private static let tokenErrors: [Int: (status: Int, text: String)] = [
        1: (403, "Token disabled"), 2: (401, "Token is required"), 3: (401, "Invalid authorization"),
        4: (403, "Invalid token"),
    ]

    @Test("HEC: token errors pause the webhook", arguments: [1, 2, 3, 4])
    func hecTokenErrorsPause(code: Int) throws {
        let (status, text) = try #require(Self.tokenErrors[code])
        let body = #"{"text":"\#(text)","code":\#(code)}"#
        #expect(
            Self.verdict(status, body, dialect: .splunkHEC)
                == .pauseWebhook(reason: "Splunk HEC refused the webhook: code \(code) (\(text))"))
    }

    @Test("HEC: code 7, incorrect index, pauses the webhook, even with an event number")
    func hecIncorrectIndexPauses() {
        let verdict = Self.verdict(400, #"{"text":"Incorrect index","code":7}"#, dialect: .splunkHEC)
        #expect(verdict == .pauseWebhook(reason: "Splunk HEC refused the webhook: code 7 (Incorrect index)"))
        let numbered = #"{"text":"Incorrect index","code":7,"invalid-event-number":1}"#
        guard case .all(.pauseWebhook) = Self.batchVerdict(400, numbered, count: 3) else {
            Issue.record("an incorrect index is the webhook's problem, not one event's")
            return
        }
    }

    @Test("HEC: code 6 without invalid-event-number pauses the webhook")
    func hecInvalidFormatWithoutNumberPauses() {
        let verdict = Self.verdict(400, #"{"text":"Invalid data format","code":6}"#, dialect: .splunkHEC)
        let reason = "Splunk HEC refused the request format: code 6 (Invalid data format)"
        #expect(verdict == .pauseWebhook(reason: reason))
    }

    @Test("HEC: code 9, server busy, is retried after Retry-After; code 8 is retried")
    func hecBusyIsRetried() {
        let busy = Self.verdict(503, #"{"text":"Server is busy","code":9}"#, dialect: .splunkHEC, retryAfter: "60")
        #expect(busy == .retry(retryAfterMillis: 60_000))
        let capped = Self.verdict(
            503, #"{"text":"Server is busy","code":9}"#, dialect: .splunkHEC, retryAfter: "86400")
        #expect(capped == .retry(retryAfterMillis: Fixture.oneHour))
        let serverError = Self.verdict(500, #"{"text":"Internal server error","code":8}"#, dialect: .splunkHEC)
        #expect(serverError == .retry(retryAfterMillis: nil))
    }

    @Test("HEC: a body that is not HEC's JSON falls back to the status table")
    func hecNonJSONBody() {
        #expect(Self.verdict(400, "<html>Bad Request</html>", dialect: .splunkHEC) == Self.failed400)
        let forbidden = Self.verdict(403, "Forbidden", dialect: .splunkHEC)
        #expect(forbidden == .pauseWebhook(reason: "destination refused: HTTP 403"))
        #expect(Self.verdict(400, #"{"text":"no code"}"#, dialect: .splunkHEC) == Self.failed400)
        #expect(Self.verdict(200, #"{"text":"Success","code":0}"#, dialect: .splunkHEC) == .delivered)
    }

    @Test("HEC: an invalid event in a batch of 5 delivers the ones before it")
    func hecPartialBatch() throws {
        let body = #"{"text":"Invalid data format","code":6,"invalid-event-number":2}"#
        guard case .partial(let accepted, let refusal) = Self.batchVerdict(400, body, count: 5) else {
            Issue.record("the events before event 2 were indexed")
            return
        }
        #expect(accepted == 2)
        #expect(refusal.contains("event 2"))
        #expect(refusal.contains("code 6 (Invalid data format)"))
        let first = #"{"text":"Event field is required","code":12,"invalid-event-number":0}"#
        guard case .partial(0, _) = Self.batchVerdict(400, first, count: 5) else {
            Issue.record("a refused first event accepts none")
            return
        }
    }

    @Test(
        "HEC: an event number outside the batch pauses the webhook instead of failing every event",
        arguments: [5, 9, -1])
    func hecEventNumberOutOfRange(number: Int) {
        let body = #"{"text":"Invalid data format","code":6,"invalid-event-number":\#(number)}"#
        #expect(
            Self.batchVerdict(400, body, count: 5)
                == .all(
                    .pauseWebhook(reason: "Splunk HEC answered about an event not sent: code 6 (Invalid data format)")))
    }

    @Test("413 splits a batch of 2 or more; a single message fails")
    func tooLargeSplits() {
        for dialect in [ResponseDialect.standard, .splunkHEC] {
            #expect(Self.batchVerdict(413, "", count: 2, dialect: dialect) == .split)
            #expect(Self.batchVerdict(413, "", count: 100, dialect: dialect) == .split)
            let single = Self.batchVerdict(413, "", count: 1, dialect: dialect)
            #expect(single == .all(.failMessage(reason: "destination answered HTTP 413")))
        }
    }

    @Test("A batch that succeeds, or fails as a whole, gets one verdict for all")
    func wholeBatchVerdicts() {
        #expect(Self.batchVerdict(200, #"{"text":"Success","code":0}"#, count: 5) == .all(.delivered))
        #expect(Self.batchVerdict(503, "", count: 5) == .all(.retry(retryAfterMillis: nil)))
        let token = #"{"text":"Invalid token","code":4}"#
        let refused = Self.batchVerdict(403, token, count: 5)
        #expect(refused == .all(.pauseWebhook(reason: "Splunk HEC refused the webhook: code 4 (Invalid token)")))
    }
}
