/// A token bucket: `ratePerSecond` sends a second on average, up to `burst` at once, and a hold
/// (after a `429`) during which nothing is sent. A value type, so the dispatcher keeps one per
/// Slack URL behind a lock and tests drive it with a fake clock.
///
/// ```swift
/// var bucket = TokenBucket(ratePerSecond: 1, burst: 3, now: 0)
/// bucket.take(upTo: 5, now: 0)      // 3
/// bucket.nextTokenAt(now: 0)        // 1000: one more a second later
/// ```
public struct TokenBucket: Sendable, Equatable {
    public let ratePerSecond: Double
    public let burst: Int
    private var tokens: Double
    private var refilledAt: Int64
    private var heldUntil: Int64 = .min

    /// A full bucket at `now` (Unix milliseconds).
    public init(ratePerSecond: Double, burst: Int, now: Int64) {
        precondition(ratePerSecond > 0 && burst >= 1)
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.tokens = Double(burst)
        self.refilledAt = now
    }

    /// How far behind the last refill a `now` must be to be taken as the wall clock set back,
    /// rather than a caller that read the clock a moment before another (a lane gives tokens back
    /// with the `now` it took them at).
    static let clockStepBack: Int64 = 1_000

    /// Refilling starts at the end of a hold; past a hold, a wall clock set back counts again from
    /// `now` rather than waiting for the old time.
    private mutating func refill(now: Int64) {
        guard now > refilledAt else {
            if now >= heldUntil && refilledAt - now > Self.clockStepBack { refilledAt = now }
            return
        }
        tokens = min(Double(burst), tokens + Double(now - refilledAt) * ratePerSecond / 1000)
        refilledAt = now
    }

    /// Takes as many tokens as are available, at most `wanted`; returns how many were taken.
    public mutating func take(upTo wanted: Int, now: Int64) -> Int {
        guard now >= heldUntil else { return 0 }
        refill(now: now)
        let taken = min(wanted, Int(tokens.rounded(.down)))
        tokens -= Double(max(0, taken))
        return max(0, taken)
    }

    /// Returns `count` tokens taken but not used.
    public mutating func giveBack(_ count: Int, now: Int64) {
        guard now >= heldUntil else { return }
        refill(now: now)
        tokens = min(Double(burst), tokens + Double(max(0, count)))
    }

    /// When the next token can be taken (`now` when one is available).
    public mutating func nextTokenAt(now: Int64) -> Int64 {
        refill(now: now)
        let missing = max(0, 1 - tokens)
        return max(now, refilledAt) + Int64((missing * 1000 / ratePerSecond).rounded(.up))
    }

    /// Sends nothing before `until` (Unix milliseconds) and starts again with an empty bucket,
    /// as after a `429` with `Retry-After`.
    public mutating func hold(until: Int64) {
        guard until > heldUntil else { return }
        heldUntil = until
        tokens = 0
        refilledAt = max(refilledAt, until)
    }
}
