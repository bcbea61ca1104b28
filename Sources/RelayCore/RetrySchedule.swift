import Foundation

/// When to try a failed message again (SPEC §5.2): the configured delays with ±20 % jitter,
/// never before the destination's `Retry-After`, and never past `maxAge`.
public struct RetrySchedule: Sendable, Equatable {
    /// Delay before attempt 2, 3, … in milliseconds.
    public var delaysMillis: [Int64]
    /// A message older than this when it would be retried is expired instead.
    public var maxAgeMillis: Int64
    /// The largest `Retry-After` honoured.
    public var maxRetryAfterMillis: Int64
    /// The jitter fraction: each delay is drawn from `delay × (1 ± jitter)`.
    public var jitter: Double

    public init(delaysMillis: [Int64], maxAgeMillis: Int64, maxRetryAfterMillis: Int64, jitter: Double = 0.2) {
        self.delaysMillis = delaysMillis
        self.maxAgeMillis = maxAgeMillis
        self.maxRetryAfterMillis = maxRetryAfterMillis
        self.jitter = jitter
    }

    /// The time of the attempt after attempt number `attempt`, or `nil` when the message expires.
    public func nextAttempt(
        after attempt: Int, createdAt: Int64, now: Int64, retryAfterMillis: Int64?,
        random: inout some RandomNumberGenerator
    ) -> Int64? {
        guard attempt >= 1, attempt <= delaysMillis.count else { return nil }
        let base = Double(delaysMillis[attempt - 1])
        let factor = jitter > 0 ? Double.random(in: (1 - jitter)...(1 + jitter), using: &random) : 1
        let delay = max(Int64((base * factor).rounded()), retryAfterMillis ?? 0)
        let next = now + delay
        return next - createdAt > maxAgeMillis ? nil : next
    }
}
