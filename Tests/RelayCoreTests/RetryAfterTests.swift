import RelayCore
import Testing

/// RFC 9110 §10.2.3 `Retry-After`: delay-seconds or an HTTP-date (§5.6.7, all three forms).
@Suite("RetryAfter and HTTPDate")
struct RetryAfterTests {
    /// 1994-11-06T08:49:37Z, the RFC's example date.
    private static let rfcExampleMillis: Int64 = 784_111_777_000

    @Test(
        "Delay-seconds",
        arguments: [("0", 0), ("1", 1000), ("120", 120_000), (" 30 ", 30_000), ("3600", 3_600_000)] as [(String, Int64)]
    )
    func delaySeconds(value: String, millis: Int64) {
        #expect(RetryAfter.delayMillis(value, now: Fixture.now) == millis)
    }

    @Test("Delay-seconds do not depend on the clock")
    func delaySecondsIgnoreNow() {
        #expect(RetryAfter.delayMillis("90", now: 0) == RetryAfter.delayMillis("90", now: Fixture.now))
    }

    @Test(
        "HTTP-date, measured from now",
        arguments: [
            "Sun, 01 Jun 2025 12:10:00 GMT",  // IMF-fixdate
            "Sun Jun  1 12:10:00 2025",  // asctime
        ])
    func httpDateForms(value: String) {
        #expect(RetryAfter.delayMillis(value, now: Fixture.now) == 600_000)
    }

    @Test("HTTP-date in the obsolete RFC 850 form, measured from now")
    func rfc850RetryAfter() {
        #expect(RetryAfter.delayMillis("Sunday, 01-Jun-25 12:10:00 GMT", now: Fixture.now) == 600_000)
    }

    @Test("An HTTP-date in the past means no delay")
    func pastDateIsZero() {
        #expect(RetryAfter.delayMillis("Sun, 06 Nov 1994 08:49:37 GMT", now: Fixture.now) == 0)
    }

    @Test(
        "Invalid values are not a Retry-After",
        arguments: [
            "", "   ", "soon", "-1", "+5", "1.5", "12 seconds", "0x10",
            "Sun, 06 Nov 1994 08:49:37 UTC",  // not GMT
            "Sun, 06 Nov 94 08:49:37 GMT",  // two-digit year in IMF-fixdate
            "Sun, 06 Foo 1994 08:49:37 GMT",  // unknown month
            "Sun, 31 Nov 1994 08:49:37 GMT",  // no 31 November
            "Sun, 06 Nov 1994 8:49:37 GMT",  // one-digit hour
            "Sun, 06 Nov 1994 25:49:37 GMT",  // hour out of range
            "1994-11-06T08:49:37Z",  // RFC 3339 is not an HTTP-date
        ])
    func invalidValues(value: String) {
        #expect(RetryAfter.delayMillis(value, now: Fixture.now) == nil)
    }

    @Test("A huge delay-seconds is still a delay, capped by the policy")
    func hugeDelaySecondsIsCapped() {
        let value = "99999999999999999999"
        #expect((RetryAfter.delayMillis(value, now: Fixture.now) ?? 0) >= Fixture.oneHour)
        let verdict = DeliveryPolicy.verdict(
            for: Fixture.http(503, retryAfter: value), now: Fixture.now, maxRetryAfterMillis: Fixture.oneHour)
        #expect(verdict == .retry(retryAfterMillis: Fixture.oneHour))
    }

    @Test("HTTPDate: IMF-fixdate")
    func imfFixdate() {
        #expect(HTTPDate.parseMillis("Sun, 06 Nov 1994 08:49:37 GMT") == Self.rfcExampleMillis)
        #expect(HTTPDate.parseMillis("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(HTTPDate.parseMillis("Thu, 29 Feb 2024 23:59:59 GMT") == 1_709_251_199_000)
    }

    @Test("HTTPDate: RFC 850")
    func rfc850() {
        #expect(HTTPDate.parseMillis("Sunday, 06-Nov-94 08:49:37 GMT") == Self.rfcExampleMillis)
    }

    @Test("HTTPDate: asctime, with the padded one-digit day")
    func asctime() {
        #expect(HTTPDate.parseMillis("Sun Nov  6 08:49:37 1994") == Self.rfcExampleMillis)
        #expect(HTTPDate.parseMillis("Thu Jan  1 00:00:00 1970") == 0)
    }

    @Test("HTTPDate: month names are case-insensitive")
    func monthCase() {
        #expect(HTTPDate.parseMillis("Sun, 06 NOV 1994 08:49:37 GMT") == Self.rfcExampleMillis)
    }
}

@Suite("DeliveryPolicy.holdUntil")
struct HoldTests {
    @Test("the furthest Retry-After of the 429 answers, capped; other answers ask for nothing")
    func furthestCappedHold() {
        let responses: [AttemptResponse] = [
            .http(status: 429, retryAfter: "5", body: []), .http(status: 429, retryAfter: "30", body: []),
            .http(status: 503, retryAfter: "600", body: []), .http(status: 429, retryAfter: nil, body: []),
        ]
        #expect(DeliveryPolicy.holdUntil(after: responses, now: 1000, maxRetryAfterMillis: 60_000) == 31_000)
        #expect(DeliveryPolicy.holdUntil(after: responses, now: 1000, maxRetryAfterMillis: 10_000) == 11_000)
        #expect(DeliveryPolicy.holdUntil(after: Array(responses[2...]), now: 1000, maxRetryAfterMillis: 60_000) == nil)
    }
}
