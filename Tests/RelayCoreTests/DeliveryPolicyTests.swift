import RelayCore
import Testing

/// SPEC §5.1: the outcome of one attempt, row by row.
@Suite("DeliveryPolicy")
struct DeliveryPolicyTests {
    private func verdict(_ response: AttemptResponse) -> AttemptVerdict {
        DeliveryPolicy.verdict(for: response, now: Fixture.now, maxRetryAfterMillis: Fixture.oneHour)
    }

    private func decide(_ response: AttemptResponse, attempt: Int = 1) -> AttemptDecision {
        var random = SplitMix64(seed: 7)
        return DeliveryPolicy.decide(
            response, attempt: attempt, createdAt: Fixture.now, now: Fixture.now, schedule: Fixture.defaultSchedule,
            random: &random)
    }

    // MARK: verdict

    @Test("2xx is delivered", arguments: [200, 201, 204, 299])
    func successIsDelivered(status: Int) {
        #expect(verdict(Fixture.http(status)) == .delivered)
    }

    @Test("3xx is a failed attempt that is retried, not followed", arguments: [301, 302, 307, 308])
    func redirectIsRetried(status: Int) {
        #expect(verdict(Fixture.http(status)) == .retry(retryAfterMillis: nil))
    }

    @Test("408, 425, 429 and 5xx are retried", arguments: [408, 425, 429, 500, 502, 503, 504, 599])
    func transientStatusIsRetried(status: Int) {
        #expect(verdict(Fixture.http(status)) == .retry(retryAfterMillis: nil))
    }

    @Test("Retry-After on a retried status is honoured", arguments: [408, 425, 429, 503])
    func retryAfterIsPassedOn(status: Int) {
        #expect(verdict(Fixture.http(status, retryAfter: "120")) == .retry(retryAfterMillis: 120_000))
    }

    @Test("Retry-After is capped by maxRetryAfter")
    func retryAfterIsCapped() {
        let response = Fixture.http(503, retryAfter: "86400")
        #expect(verdict(response) == .retry(retryAfterMillis: Fixture.oneHour))
        let small = DeliveryPolicy.verdict(for: response, now: Fixture.now, maxRetryAfterMillis: 10_000)
        #expect(small == .retry(retryAfterMillis: 10_000))
    }

    @Test("An invalid Retry-After is ignored", arguments: ["soon", "-5", "1.5", "", "Sun, 32 Nov 1994 08:49:37 GMT"])
    func invalidRetryAfterIsIgnored(value: String) {
        #expect(verdict(Fixture.http(429, retryAfter: value)) == .retry(retryAfterMillis: nil))
    }

    @Test(
        "Timeout, connection and TLS failures are retried",
        arguments: [TransportFailure.Kind.timeout, .connect, .tls])
    func transportFailureIsRetried(kind: TransportFailure.Kind) {
        #expect(verdict(.transportFailure(TransportFailure(kind, "boom"))) == .retry(retryAfterMillis: nil))
    }

    @Test("410 disables the webhook")
    func goneDisablesWebhook() throws {
        guard case .disableWebhook(let reason) = verdict(Fixture.http(410)) else {
            Issue.record("410 must disable the webhook")
            return
        }
        #expect(reason.contains("410"))
    }

    @Test("401, 403 and 404 pause the webhook", arguments: [401, 403, 404])
    func refusalPausesWebhook(status: Int) {
        guard case .pauseWebhook(let reason) = verdict(Fixture.http(status)) else {
            Issue.record("\(status) must pause the webhook")
            return
        }
        #expect(reason.hasPrefix("destination refused"))
        #expect(reason.contains(String(status)))
    }

    @Test("Other 4xx fail only this message", arguments: [400, 405, 409, 413, 415, 422])
    func otherClientErrorFailsMessage(status: Int) {
        guard case .failMessage(let reason) = verdict(Fixture.http(status)) else {
            Issue.record("\(status) must fail the message")
            return
        }
        #expect(reason.contains(String(status)))
    }

    // MARK: decide

    @Test("decide: 2xx records delivered and schedules nothing", arguments: [200, 204])
    func decideDelivered(status: Int) {
        let decision = decide(Fixture.http(status))
        #expect(decision == AttemptDecision(outcome: .delivered))
        #expect(!decision.keepsMessagePending)
    }

    @Test("decide: retried responses schedule the next attempt", arguments: [302, 429, 503])
    func decideRetrying(status: Int) throws {
        let decision = decide(Fixture.http(status))
        #expect(decision.outcome == .retrying)
        #expect(decision.keepsMessagePending)
        let next = try #require(decision.nextAttemptAt)
        #expect((Fixture.now + 4000...Fixture.now + 6000).contains(next))
    }

    @Test("decide: transport failure schedules the next attempt")
    func decideTransportFailure() throws {
        let decision = decide(.transportFailure(TransportFailure(.timeout, "deadline")), attempt: 3)
        #expect(decision.outcome == .retrying)
        let next = try #require(decision.nextAttemptAt)
        #expect((Fixture.now + 96_000...Fixture.now + 144_000).contains(next))
    }

    @Test("decide: 410 disables and keeps the message queued")
    func decideDisabled() {
        let decision = decide(Fixture.http(410))
        #expect(decision.outcome == .disabled)
        #expect(decision.keepsMessagePending)
        #expect(decision.reason?.contains("410") == true)
    }

    @Test("decide: 401/403/404 pause and keep the message queued", arguments: [401, 403, 404])
    func decidePaused(status: Int) {
        let decision = decide(Fixture.http(status))
        #expect(decision.outcome == .paused)
        #expect(decision.keepsMessagePending)
        #expect(decision.reason?.hasPrefix("destination refused") == true)
    }

    @Test("decide: other 4xx fail the message and drop it from the queue", arguments: [400, 413, 422])
    func decideFailed(status: Int) {
        let decision = decide(Fixture.http(status))
        #expect(decision.outcome == .failed)
        #expect(decision.nextAttemptAt == nil)
        #expect(!decision.keepsMessagePending)
        #expect(decision.reason?.contains(String(status)) == true)
    }

    @Test("decide: a retried response after the last schedule entry expires")
    func decideExpiresAfterSchedule() {
        let last = Fixture.defaultSchedule.delaysMillis.count
        #expect(decide(Fixture.http(503), attempt: last).outcome == .retrying)
        let decision = decide(Fixture.http(503), attempt: last + 1)
        #expect(decision.outcome == .expired)
        #expect(decision.nextAttemptAt == nil)
        #expect(!decision.keepsMessagePending)
    }
}

/// Which outcomes keep a message in the queue, and the status the others leave it in.
@Suite struct MessageStatusTests {
    @Test(arguments: AttemptOutcome.allCases)
    func anOutcomeLeavesItsMessageInOneStatus(_ outcome: AttemptOutcome) {
        let status = MessageStatus(after: outcome)
        switch outcome {
        case .retrying, .paused, .disabled: #expect(status == .pending)
        case .delivered, .failed, .expired: #expect(status.rawValue == outcome.rawValue)
        }
        #expect(MessageStatus.finished.contains(status) == (status != .pending))
    }
}

/// A webhook's health after a group of requests (SPEC §8).
@Suite struct WebhookHealthChangeTests {
    @Test func failuresCountUntilADeliveryAndTheLastFailureSaysWhy() {
        var change = WebhookHealthChange()
        change.add(startedAt: 1, deliveredAny: false, firstFailure: (.retrying, nil), httpStatus: 503)
        change.add(
            startedAt: 2, deliveredAny: false, firstFailure: (.retrying, "connecting timed out"), httpStatus: nil)
        #expect(change.lastSuccessAt == nil && change.failuresSinceSuccess == 2)
        #expect(change.lastFailure == .init(at: 2, reason: "connecting timed out"))

        change.add(startedAt: 3, deliveredAny: true, firstFailure: nil, httpStatus: 200)
        #expect(change.lastSuccessAt == 3 && change.failuresSinceSuccess == 0)
        #expect(change.lastFailure?.at == 2, "a success keeps the last failure")

        // A batch that delivered some events and had one refused: a success, and a failure.
        change.add(startedAt: 4, deliveredAny: true, firstFailure: (.failed, nil), httpStatus: 400)
        #expect(change.lastSuccessAt == 4 && change.failuresSinceSuccess == 0)
        #expect(change.lastFailure == .init(at: 4, reason: "HTTP 400"))

        change.add(startedAt: 5, deliveredAny: false, firstFailure: (.expired, nil), httpStatus: nil)
        #expect(change.lastFailure == .init(at: 5, reason: "expired") && change.failuresSinceSuccess == 1)
    }
}
