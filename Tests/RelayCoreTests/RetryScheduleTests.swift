import RelayCore
import Testing

/// SPEC §5.2: the retry schedule, ±20 % jitter, `Retry-After` and `maxAge`.
@Suite("RetrySchedule")
struct RetryScheduleTests {
    private let schedule = Fixture.defaultSchedule

    private func next(
        after attempt: Int, createdAt: Int64 = Fixture.now, retryAfter: Int64? = nil, seed: UInt64 = 1,
        schedule: RetrySchedule? = nil
    ) -> Int64? {
        var random = SplitMix64(seed: seed)
        return (schedule ?? self.schedule).nextAttempt(
            after: attempt, createdAt: createdAt, now: Fixture.now, retryAfterMillis: retryAfter, random: &random)
    }

    @Test("Every jittered delay is within ±20 % of the configured delay, and the draws vary")
    func jitterStaysWithinBounds() throws {
        var random = SplitMix64(seed: 0xC0FF_EE)
        for (index, base) in schedule.delaysMillis.enumerated() {
            let lower = base - base / 5
            let upper = base + base / 5
            var delays: Set<Int64> = []
            for _ in 0..<500 {
                let next = try #require(
                    schedule.nextAttempt(
                        after: index + 1, createdAt: Fixture.now, now: Fixture.now, retryAfterMillis: nil,
                        random: &random))
                let delay = next - Fixture.now
                #expect((lower...upper).contains(delay), "attempt \(index + 1): \(delay) ms outside ±20 % of \(base)")
                delays.insert(delay)
            }
            #expect(delays.count > 1, "attempt \(index + 1): all 500 draws were identical")
        }
    }

    @Test("Jitter spreads over both sides of the configured delay")
    func jitterUsesBothSides() throws {
        var random = SplitMix64(seed: 42)
        var below = 0
        var above = 0
        for _ in 0..<1000 {
            let next = try #require(
                schedule.nextAttempt(
                    after: 4, createdAt: Fixture.now, now: Fixture.now, retryAfterMillis: nil, random: &random))
            if next - Fixture.now < 600_000 { below += 1 }
            if next - Fixture.now > 600_000 { above += 1 }
        }
        #expect(below > 100)
        #expect(above > 100)
    }

    @Test("The same seed gives the same delay")
    func deterministicWithSeed() {
        #expect(next(after: 2, seed: 99) == next(after: 2, seed: 99))
    }

    @Test("Without jitter the configured delay is used exactly", arguments: 1...3)
    func noJitterUsesExactDelay(attempt: Int) {
        let exact = RetrySchedule(
            delaysMillis: [1000, 2000, 3000], maxAgeMillis: Fixture.oneHour, maxRetryAfterMillis: Fixture.oneHour,
            jitter: 0)
        #expect(next(after: attempt, schedule: exact) == Fixture.now + Int64(attempt) * 1000)
    }

    @Test("After the last schedule entry the message expires")
    func expiresAfterLastEntry() {
        let count = schedule.delaysMillis.count
        #expect(next(after: count) != nil)
        #expect(next(after: count + 1) == nil)
        #expect(next(after: count + 5) == nil)
    }

    @Test("Attempt numbers start at 1")
    func attemptZeroHasNoNext() {
        #expect(next(after: 0) == nil)
    }

    @Test("A retry past maxAge expires the message")
    func maxAgeExpires() {
        let maxAge = schedule.maxAgeMillis
        #expect(next(after: 1, createdAt: Fixture.now - maxAge) == nil)
        #expect(next(after: 1, createdAt: Fixture.now - maxAge + 10_000) != nil)
        #expect(next(after: 11, createdAt: Fixture.now - 63 * Fixture.oneHour) == nil)
    }

    @Test("Retry-After is a floor: the next attempt is never earlier", arguments: 1...20)
    func retryAfterIsAFloor(seed: UInt64) throws {
        let retryAfter: Int64 = 45 * 60_000
        let scheduled = try #require(next(after: 1, retryAfter: retryAfter, seed: seed))
        #expect(scheduled == Fixture.now + retryAfter)
    }

    @Test("A Retry-After shorter than the schedule leaves the schedule's delay", arguments: 1...20)
    func shortRetryAfterKeepsSchedule(seed: UInt64) throws {
        let scheduled = try #require(next(after: 4, retryAfter: 1000, seed: seed))
        #expect((Fixture.now + 480_000...Fixture.now + 720_000).contains(scheduled))
    }

    @Test("A Retry-After that reaches past maxAge expires the message")
    func retryAfterPastMaxAgeExpires() {
        let createdAt = Fixture.now - schedule.maxAgeMillis + 60_000
        #expect(next(after: 1, createdAt: createdAt, retryAfter: 30_000) != nil)
        #expect(next(after: 1, createdAt: createdAt, retryAfter: 120_000) == nil)
    }

    @Test("decide never schedules before the destination's Retry-After", arguments: 1...20)
    func decideHonoursRetryAfter(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let decision = DeliveryPolicy.decide(
            Fixture.http(503, retryAfter: "600"), attempt: 1, createdAt: Fixture.now, now: Fixture.now,
            schedule: schedule, random: &random)
        #expect(decision.outcome == .retrying)
        #expect(decision.nextAttemptAt == Fixture.now + 600_000)
    }

    @Test("decide honours an HTTP-date Retry-After")
    func decideHonoursHTTPDate() {
        var random = SplitMix64(seed: 3)
        // 2025-06-01T12:20:00Z, twenty minutes after `now`.
        let decision = DeliveryPolicy.decide(
            Fixture.http(429, retryAfter: "Sun, 01 Jun 2025 12:20:00 GMT"), attempt: 1, createdAt: Fixture.now,
            now: Fixture.now, schedule: schedule, random: &random)
        #expect(decision.nextAttemptAt == Fixture.now + 20 * 60_000)
    }

    @Test("decide caps Retry-After at maxRetryAfter")
    func decideCapsRetryAfter() {
        var random = SplitMix64(seed: 5)
        let decision = DeliveryPolicy.decide(
            Fixture.http(503, retryAfter: "999999"), attempt: 1, createdAt: Fixture.now, now: Fixture.now,
            schedule: schedule, random: &random)
        #expect(decision.nextAttemptAt == Fixture.now + schedule.maxRetryAfterMillis)
    }

    @Test("decide uses the schedule's delay when Retry-After is shorter", arguments: 1...10)
    func decideUsesScheduleOverShortRetryAfter(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let decision = DeliveryPolicy.decide(
            Fixture.http(503, retryAfter: "1"), attempt: 2, createdAt: Fixture.now, now: Fixture.now,
            schedule: schedule, random: &random)
        let next = try #require(decision.nextAttemptAt)
        #expect((Fixture.now + 24_000...Fixture.now + 36_000).contains(next))
    }

    @Test("decide expires a retried message past maxAge")
    func decideExpiresPastMaxAge() {
        var random = SplitMix64(seed: 9)
        let decision = DeliveryPolicy.decide(
            Fixture.http(500), attempt: 1, createdAt: Fixture.now - 73 * Fixture.oneHour, now: Fixture.now,
            schedule: schedule, random: &random)
        #expect(decision.outcome == .expired)
        #expect(decision.nextAttemptAt == nil)
    }
}
