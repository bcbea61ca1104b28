import RelayCore
import Testing

/// Page sessions end by age or by disuse; form tokens are compared exactly; repeated sign-in
/// failures wait longer and longer.
@Suite struct WebSessionTests {
    @Test func aSessionEndsAfterItsIdleTimeOrItsLifetime() {
        var session = WebSession(token: "admin", now: 0)
        let ttl: Int64 = 12 * 3_600_000
        let idle: Int64 = 3_600_000
        #expect(session.isLive(now: idle - 1, ttl: ttl, idleTimeout: idle))
        #expect(!session.isLive(now: idle, ttl: ttl, idleTimeout: idle), "unused for an hour")
        for hour in 0..<12 {
            session.touch(now: Int64(hour) * idle + idle / 2)
        }
        #expect(!session.isLive(now: ttl, ttl: ttl, idleTimeout: idle), "twelve hours after sign-in, used or not")
    }

    @Test func sessionsAreRandomAndKeepOnlyTheTokensFingerprint() {
        let one = WebSession(token: "admin-token", now: 0)
        let two = WebSession(token: "admin-token", now: 0)
        #expect(one.id != two.id && one.formToken != two.formToken)
        #expect(one.id.count >= 43 && !one.id.contains("+") && !one.id.contains("/"))
        #expect(one.tokenFingerprint == two.tokenFingerprint && one.tokenFingerprint.count == 12)
        #expect(!one.id.contains("admin-token") && one.tokenFingerprint != "admin-token")
        #expect(one.acceptsFormToken(one.formToken))
        #expect(!one.acceptsFormToken(two.formToken) && !one.acceptsFormToken("") && !one.acceptsFormToken(one.id))
    }

    @Test func failuresPastTheFreeOnesWaitLongerEachTimeAndASuccessClears() {
        var throttle = SignInThrottle()
        for attempt in 0..<3 {
            #expect(throttle.blockedUntil("a", now: Int64(attempt)) == nil)
            throttle.failed("a", now: Int64(attempt))
        }
        #expect(throttle.blockedUntil("a", now: 2) == 1002, "the fourth waits a second")
        #expect(throttle.blockedUntil("b", now: 2) == nil, "another address is not held")
        throttle.failed("a", now: 1002)
        #expect(throttle.blockedUntil("a", now: 1002) == 3002, "then two")
        for _ in 0..<20 { throttle.failed("a", now: 5000) }
        #expect(throttle.blockedUntil("a", now: 5000) == 65_000, "capped at a minute")
        #expect(throttle.blockedUntil("a", now: 5000 + 15 * 60_000) == nil, "forgotten after 15 minutes")
        throttle.succeeded("a")
        #expect(throttle.blockedUntil("a", now: 5001) == nil)
    }
}
