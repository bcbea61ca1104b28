import RelayCore
import Testing

@Suite("RFC3339")
struct RFC3339Tests {
    /// 2026-11-24T10:00:00Z in Unix milliseconds.
    private static let base: Int64 = 1_795_514_400_000

    @Test(
        "Parses UTC, offsets and fractional seconds",
        arguments: [
            ("2026-11-24T10:00:00Z", 0),
            ("2026-11-24T10:00:00.123Z", 123),
            ("2026-11-24T10:00:00.1Z", 100),
            ("2026-11-24T10:00:00.05Z", 50),
            ("2026-11-24T10:00:00.123456789Z", 123),
            ("2026-11-24T12:00:00+02:00", 0),
            ("2026-11-24T05:30:00-04:30", 0),
            ("2026-11-24T10:00:00-00:00", 0),
            ("2026-11-24T11:00:00.250+01:00", 250),
            ("2026-11-25T09:59:59.999+23:59", 59_999),
            ("2026-11-24t10:00:00z", 0),
        ] as [(String, Int64)])
    func parses(text: String, offsetFromBase: Int64) {
        #expect(RFC3339.parseMillis(text) == Self.base + offsetFromBase)
    }

    @Test("Parses the epoch and times before it")
    func epoch() {
        #expect(RFC3339.parseMillis("1970-01-01T00:00:00Z") == 0)
        #expect(RFC3339.parseMillis("1969-12-31T23:59:59Z") == -1000)
        #expect(RFC3339.parseMillis("1970-01-01T01:00:00+01:00") == 0)
    }

    @Test("Leap days follow the Gregorian rules")
    func leapDays() {
        #expect(RFC3339.parseMillis("2024-02-29T23:59:59Z") == 1_709_251_199_000)
        #expect(RFC3339.parseMillis("2000-02-29T00:00:00Z") != nil)
        #expect(RFC3339.parseMillis("2023-02-29T00:00:00Z") == nil)
        #expect(RFC3339.parseMillis("1900-02-29T00:00:00Z") == nil)
    }

    @Test("A leap second is accepted")
    func leapSecond() throws {
        let leap = try #require(RFC3339.parseMillis("2016-12-31T23:59:60Z"))
        let before = try #require(RFC3339.parseMillis("2016-12-31T23:59:59Z"))
        #expect((before...before + 1000).contains(leap))
    }

    @Test(
        "Refuses what is not an RFC 3339 date-time",
        arguments: [
            "", "garbage", "2026-11-24", "10:00:00Z",
            "2026-13-01T10:00:00Z",  // month 13
            "2026-00-01T10:00:00Z",  // month 0
            "2026-04-31T10:00:00Z",  // 31 April
            "2026-06-31T10:00:00Z",  // 31 June
            "2026-11-00T10:00:00Z",  // day 0
            "2026-11-24T10:00:00",  // no zone
            "2026-11-24T24:00:00Z",  // hour 24
            "2026-11-24T10:60:00Z",  // minute 60
            "2026-11-24T10:00:61Z",  // second 61
            "2026-11-24T10:00Z",  // no seconds
            "2026-11-24T10:00:00.Z",  // empty fraction
            "2026-11-24T10:00:00+0200",  // offset without colon
            "2026-11-24T10:00:00+02",  // offset without minutes
            "2026-11-24T10:00:00+24:00",  // offset hour 24
            "2026-11-24T10:00:00+02:60",  // offset minute 60
            "2026-11-24T10:00:00Z ",  // trailing space
            " 2026-11-24T10:00:00Z",  // leading space
            "2026-11-24T10:00:00ZZ",  // trailing junk
            "26-11-24T10:00:00Z",  // two-digit year
            "2026-1-24T10:00:00Z",  // one-digit month
            "2026/11/24T10:00:00Z",  // wrong separator
            "2026-11-24X10:00:00Z",  // wrong date/time separator
            "２０２６-11-24T10:00:00Z",  // non-ASCII digits
        ])
    func refuses(text: String) {
        #expect(RFC3339.parseMillis(text) == nil)
    }

    @Test(
        "Formats as UTC with milliseconds",
        arguments: [
            (0, "1970-01-01T00:00:00.000Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (1_795_514_400_123, "2026-11-24T10:00:00.123Z"),
            (1_709_251_199_000, "2024-02-29T23:59:59.000Z"),
            (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        ] as [(Int64, String)])
    func formats(millis: Int64, text: String) {
        #expect(RFC3339.format(millis: millis) == text)
    }

    @Test("format then parse gives back the same instant")
    func roundTripFromMillis() {
        var random = SplitMix64(seed: 2026)
        for _ in 0..<2000 {
            // Anywhere from 1900 to 2200.
            let millis = Int64.random(in: -2_208_988_800_000...7_258_118_400_000, using: &random)
            let text = RFC3339.format(millis: millis)
            #expect(RFC3339.parseMillis(text) == millis, "\(millis) formatted as \(text)")
        }
    }

    @Test(
        "parse then format normalises to UTC",
        arguments: [
            ("2026-11-24T12:00:00.5+02:00", "2026-11-24T10:00:00.500Z"),
            ("2026-01-01T00:30:00+01:00", "2025-12-31T23:30:00.000Z"),
            ("2024-02-28T22:00:00-03:00", "2024-02-29T01:00:00.000Z"),
        ])
    func roundTripFromText(text: String, normalised: String) throws {
        let millis = try #require(RFC3339.parseMillis(text))
        #expect(RFC3339.format(millis: millis) == normalised)
    }
}
