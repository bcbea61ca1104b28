import Foundation

/// What the relay does after one attempt, decided from the response alone (SPEC §5.1).
public enum AttemptVerdict: Sendable, Equatable {
    /// The destination took the message.
    case delivered
    /// Try again later; `retryAfterMillis` is the destination's `Retry-After`, already capped.
    case retry(retryAfterMillis: Int64?)
    /// This message can never be delivered; the others go on.
    case failMessage(reason: String)
    /// The destination refuses the webhook: pause it, keep its queue.
    case pauseWebhook(reason: String)
    /// The destination is gone (`410`): disable the webhook, keep its queue.
    case disableWebhook(reason: String)
}

/// The decision after one attempt: the outcome to record and, for a message still pending, when
/// to try next.
public struct AttemptDecision: Sendable, Equatable {
    public var outcome: AttemptOutcome
    /// Unix milliseconds of the next attempt, for `retrying` (and the resume time for `paused`
    /// and `disabled`, which keep the message queued).
    public var nextAttemptAt: Int64?
    /// Why the message or webhook stopped, for the attempt record and the webhook's `stateReason`.
    public var reason: String?

    public init(outcome: AttemptOutcome, nextAttemptAt: Int64? = nil, reason: String? = nil) {
        self.outcome = outcome
        self.nextAttemptAt = nextAttemptAt
        self.reason = reason
    }

    /// Whether the message stays in the queue after this attempt.
    public var keepsMessagePending: Bool {
        MessageStatus(after: outcome) == .pending
    }
}

/// Response → outcome rules and the retry schedule, as pure functions.
///
/// ```swift
/// let verdict = DeliveryPolicy.verdict(for: .http(status: 503, retryAfter: "120", body: []),
///                                      now: now, maxRetryAfterMillis: 3_600_000)
/// // .retry(retryAfterMillis: 120_000)
/// ```
public enum DeliveryPolicy {
    /// Until when a destination asked to be sent nothing: the furthest `Retry-After` of the `429`
    /// answers among `responses`, capped at `maxRetryAfterMillis`; `nil` when none asked.
    ///
    /// ```swift
    /// DeliveryPolicy.holdUntil(after: [.http(status: 429, retryAfter: "30", body: [])], now: 0,
    ///                          maxRetryAfterMillis: 3_600_000)  // 30_000
    /// ```
    ///
    /// A lane asks this after every request, so it takes an array and loops: a generic sequence
    /// (with a lazy chain over it) is not specialized across modules, and looking up its
    /// types' metadata took 7 % of a busy lane's thread (docs/PERFORMANCE.md, session 15).
    public static func holdUntil(after responses: [AttemptResponse], now: Int64, maxRetryAfterMillis: Int64) -> Int64? {
        var longest: Int64?
        for case .http(429, let retryAfter?, _) in responses {
            guard let delay = RetryAfter.delayMillis(retryAfter, now: now) else { continue }
            longest = max(longest ?? delay, delay)
        }
        return longest.map { now + min($0, maxRetryAfterMillis) }
    }

    /// Classifies one attempt's response (SPEC §5.1), refined by what Slack or Splunk HEC say in
    /// the body when `dialect` is theirs.
    public static func verdict(
        for response: AttemptResponse, dialect: ResponseDialect = .standard, now: Int64, maxRetryAfterMillis: Int64
    ) -> AttemptVerdict {
        if case .http(let status, _, let body) = response, let refined = dialect.refinement(status: status, body: body)
        {
            return refined
        }
        switch response {
        case .transportFailure(let failure):
            if failure.kind == .refusedDestination || failure.kind == .credentialsRefused {
                return .pauseWebhook(reason: failure.message)
            }
            return .retry(retryAfterMillis: nil)
        case .http(let status, let retryAfter, _):
            switch status {
            case 200..<300:
                return .delivered
            case 410:
                return .disableWebhook(reason: "destination answered 410 Gone")
            case 401, 403, 404:
                return .pauseWebhook(reason: "destination refused: HTTP \(status)")
            case 408, 425, 429, 500..<600:
                let delay = retryAfter.flatMap { RetryAfter.delayMillis($0, now: now) }
                return .retry(retryAfterMillis: delay.map { min($0, maxRetryAfterMillis) })
            case 300..<400:
                return .retry(retryAfterMillis: nil)
            case 400..<500:
                return .failMessage(reason: "destination answered HTTP \(status)")
            default:
                return .retry(retryAfterMillis: nil)
            }
        }
    }

    /// The full decision for an attempt: the verdict combined with the message's schedule.
    ///
    /// - Parameters:
    ///   - attempt: the number of the attempt just made, from 1.
    ///   - createdAt: when the message was queued (Unix milliseconds), for `maxAge`.
    public static func decide(
        _ response: AttemptResponse, attempt: Int, createdAt: Int64, now: Int64, schedule: RetrySchedule,
        random: inout some RandomNumberGenerator
    ) -> AttemptDecision {
        decide(
            verdict(for: response, now: now, maxRetryAfterMillis: schedule.maxRetryAfterMillis), attempt: attempt,
            createdAt: createdAt, now: now, schedule: schedule, random: &random)
    }

    /// The full decision for an attempt whose verdict is already known (a message of a batch).
    public static func decide(
        _ verdict: AttemptVerdict, attempt: Int, createdAt: Int64, now: Int64, schedule: RetrySchedule,
        random: inout some RandomNumberGenerator
    ) -> AttemptDecision {
        switch verdict {
        case .delivered:
            return AttemptDecision(outcome: .delivered)
        case .failMessage(let reason):
            return AttemptDecision(outcome: .failed, reason: reason)
        case .pauseWebhook(let reason):
            return AttemptDecision(outcome: .paused, nextAttemptAt: now, reason: reason)
        case .disableWebhook(let reason):
            return AttemptDecision(outcome: .disabled, nextAttemptAt: now, reason: reason)
        case .retry(let retryAfter):
            guard
                let next = schedule.nextAttempt(
                    after: attempt, createdAt: createdAt, now: now, retryAfterMillis: retryAfter, random: &random)
            else {
                return AttemptDecision(outcome: .expired, reason: "no attempts left after \(attempt)")
            }
            return AttemptDecision(outcome: .retrying, nextAttemptAt: next)
        }
    }
}

/// What one request carrying several messages means for each of them.
public enum BatchVerdict: Sendable, Equatable {
    /// Every message of the request gets this verdict.
    case all(AttemptVerdict)
    /// The destination found the body too large (`413`), or refused the data of a request of
    /// several messages without saying which: send each half on its own.
    case split
    /// The destination took the first `accepted` messages and refused the next one for its own
    /// data (Splunk HEC's `invalid-event-number`); the ones after it were not taken.
    case partial(accepted: Int, refusal: String)
}

extension DeliveryPolicy {
    /// Classifies the response to a request carrying `count` messages.
    public static func batchVerdict(
        for response: AttemptResponse, count: Int, dialect: ResponseDialect, now: Int64, maxRetryAfterMillis: Int64
    ) -> BatchVerdict {
        if case .http(let status, _, let body) = response {
            if status == 413, count > 1 { return .split }
            if dialect == .splunkHEC, !(200..<300).contains(status), let answer = HECAnswer(body),
                answer.refusesOneEvent, let index = answer.invalidEventNumber
            {
                guard (0..<count).contains(index) else {
                    // An event number the request does not have: the answer cannot be trusted per
                    // event, so stop and let an operator look rather than fail every event.
                    return .all(.pauseWebhook(reason: "Splunk HEC answered about an event not sent: \(answer.summary)"))
                }
                return .partial(
                    accepted: index, refusal: "Splunk HEC refused event \(index) of the batch: \(answer.summary)")
            }
        }
        let verdict = verdict(for: response, dialect: dialect, now: now, maxRetryAfterMillis: maxRetryAfterMillis)
        // A refusal of one message's data, for several: halve until the refused one is alone, so
        // the others go on (SPEC §5.1).
        if case .failMessage = verdict, count > 1 { return .split }
        return .all(verdict)
    }
}
