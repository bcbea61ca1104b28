import RelayCore

/// A seeded, deterministic random number generator (SplitMix64), so jitter tests are repeatable.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Shared values for the delivery tests.
enum Fixture {
    /// 2025-06-01T12:00:00Z in Unix milliseconds.
    static let now: Int64 = 1_748_779_200_000
    static let oneHour: Int64 = 3_600_000

    /// The default schedule of SPEC §1 / §5.2.
    static let defaultSchedule = RetrySchedule(
        delaysMillis: [5, 30, 120, 600, 1800, 3600, 7200, 14_400, 28_800, 43_200, 43_200].map { $0 * 1000 },
        maxAgeMillis: 72 * oneHour, maxRetryAfterMillis: oneHour)

    static func http(_ status: Int, retryAfter: String? = nil, body: String = "") -> AttemptResponse {
        .http(status: status, retryAfter: retryAfter, body: Array(body.utf8))
    }
}
