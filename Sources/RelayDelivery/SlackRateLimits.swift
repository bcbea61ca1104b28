import RelayCore
import Synchronization

/// One ``RelayCore/TokenBucket`` per Slack URL, shared by every lane: Slack takes about one
/// message a second per incoming webhook, and two webhooks with the same URL share that.
final class SlackRateLimits: Sendable {
    private let buckets = Mutex<[String: TokenBucket]>([:])
    private let ratePerSecond: Double
    private let burst: Int

    init(ratePerSecond: Double, burst: Int) {
        self.ratePerSecond = ratePerSecond
        self.burst = burst
    }

    private func withBucket<T>(_ url: String, now: Int64, _ body: (inout TokenBucket) -> T) -> T {
        buckets.withLock { buckets in
            var bucket = buckets[url] ?? TokenBucket(ratePerSecond: ratePerSecond, burst: burst, now: now)
            defer { buckets[url] = bucket }
            return body(&bucket)
        }
    }

    /// Takes up to `wanted` sends for `url` now; returns how many may go.
    func take(_ url: String, upTo wanted: Int, now: Int64) -> Int {
        withBucket(url, now: now) { $0.take(upTo: wanted, now: now) }
    }

    /// Gives back sends taken but not used (fewer messages were due).
    func giveBack(_ url: String, count: Int, now: Int64) {
        guard count > 0 else { return }
        withBucket(url, now: now) { $0.giveBack(count, now: now) }
    }

    /// When `url` can next be sent to.
    func nextSendAt(_ url: String, now: Int64) -> Int64 {
        withBucket(url, now: now) { $0.nextTokenAt(now: now) }
    }

    /// Sends nothing to `url` before `until` (Slack answered `429` with `Retry-After`).
    func hold(_ url: String, until: Int64, now: Int64) {
        withBucket(url, now: now) { $0.hold(until: until) }
    }
}
