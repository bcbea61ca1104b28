/// How a group of recorded requests to one webhook changes its health (SPEC §8: last success,
/// last failure and its reason, consecutive failures), folded in request order so the store
/// writes it once.
///
/// ```swift
/// var change = WebhookHealthChange()
/// change.add(startedAt: 10, deliveredAny: false, firstFailure: (.retrying, nil), httpStatus: 503)
/// change.lastFailure   // (at: 10, reason: "HTTP 503")
/// ```
public struct WebhookHealthChange: Sendable, Equatable {
    /// A failed request: when it started and why, in words.
    public struct Failure: Sendable, Equatable {
        public var at: Int64
        public var reason: String

        public init(at: Int64, reason: String) {
            self.at = at
            self.reason = reason
        }
    }

    /// When the newest request that delivered a message started.
    public private(set) var lastSuccessAt: Int64?
    /// The newest request that left a message undelivered.
    public private(set) var lastFailure: Failure?
    /// Requests that delivered nothing after the last one that delivered (all of them when none
    /// did); the store adds them to the current count only when no request delivered.
    public private(set) var failuresSinceSuccess = 0

    public init() {}

    /// Counts one request: a success when it delivered a message, a failure when it delivered
    /// none. A message it did not deliver (a refused event of a batch) is the last failure, with
    /// the attempt's error, else the HTTP status, else the outcome as its reason.
    public mutating func add(
        startedAt: Int64, deliveredAny: Bool, firstFailure: (outcome: AttemptOutcome, error: String?)?,
        httpStatus: Int?
    ) {
        if deliveredAny {
            lastSuccessAt = startedAt
            failuresSinceSuccess = 0
        } else {
            failuresSinceSuccess += 1
        }
        if let firstFailure {
            let reason = firstFailure.error ?? httpStatus.map { "HTTP \($0)" } ?? firstFailure.outcome.rawValue
            lastFailure = Failure(at: startedAt, reason: reason)
        }
    }
}
