import Foundation
import RelayCore

/// Sends one synthetic `auditrelay.test` event to a webhook right away, outside the queue, and
/// reports what the destination answered (`POST /v1/webhooks/{id}/test`). Nothing is stored and
/// the webhook's state is not changed, so a paused webhook can be tested before it is resumed.
public enum WebhookTester {
    /// Sends the test event to `webhook` with `sender`; `schedule` decides the outcome a first
    /// attempt with the answer would have.
    static func send(to webhook: Webhook, sender: MessageSender, schedule: RetrySchedule) async -> WebhookTestResult {
        let now = WallClock.nowMillis()
        let eventID = Identifier.make(prefix: "evt_", millis: now)
        let body =
            #"{"type":"auditrelay.test","id":"\#(eventID)","time":"\#(RFC3339.format(millis: now))","#
            + #""data":{"message":"Test event from AuditRelay","webhook":"\#(webhook.id)"}}"#
        let envelope = MessageEnvelope(
            messageID: Identifier.make(prefix: "msg_", millis: now), sequence: 0, attempt: 1,
            event: AuditEvent(id: eventID, type: "auditrelay.test", occurredAt: now, body: Data(body.utf8)))
        let started = ContinuousClock.now
        let layout = MessageLayout(for: webhook)
        let sent = await sender.send(
            [envelope], pieces: [layout.piece(envelope.event)], to: webhook, layout: layout, timestamp: now / 1000)
        let answer = sent.answers.first
        let response = answer?.response ?? .transportFailure(TransportFailure(.other, "cancelled"))
        let verdict = answer?.verdicts.first ?? .retry(retryAfterMillis: nil)
        let elapsed = ContinuousClock.now - started
        var random = SystemRandomNumberGenerator()
        let decision = DeliveryPolicy.decide(
            verdict, attempt: 1, createdAt: now, now: WallClock.nowMillis(), schedule: schedule,
            random: &random)
        return WebhookTestResult(
            outcome: decision.outcome, httpStatus: response.httpStatus,
            error: response.failureMessage ?? decision.reason,
            durationMs: elapsed.milliseconds, responseBody: String(decoding: response.body, as: UTF8.self),
            eventId: eventID)
    }
}

extension AttemptResponse {
    /// The HTTP status, when the destination answered.
    var httpStatus: Int? {
        if case .http(let status, _, _) = self { return status }
        return nil
    }

    /// What went wrong without an HTTP answer.
    var failureMessage: String? {
        if case .transportFailure(let failure) = self { return failure.message }
        return nil
    }

    /// The response body prefix the transport kept.
    var body: [UInt8] {
        if case .http(_, _, let body) = self { return body }
        return []
    }
}

extension Duration {
    /// Whole milliseconds.
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
