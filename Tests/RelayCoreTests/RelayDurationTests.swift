import Foundation
import RelayCore
import Testing

/// SPEC §1: durations are written `500ms`, `5s`, `2m`, `1h`, `7d`.
@Suite("RelayDuration")
struct RelayDurationTests {
    @Test(
        "Parses each unit and bare seconds",
        arguments: [
            ("500ms", 500), ("5s", 5000), ("2m", 120_000), ("1h", 3_600_000), ("7d", 604_800_000),
            ("72h", 259_200_000), ("0s", 0), ("30", 30_000), ("1.5s", 1500), ("0.5", 500), (" 15s ", 15_000),
        ] as [(String, Int64)])
    func parses(text: String, millis: Int64) throws {
        #expect(try RelayDuration(parsing: text).milliseconds == millis)
    }

    @Test(
        "Refuses what is not a duration",
        arguments: ["5x", "", "s", "ms", "-5s", "-1", "5 m", "5mm", "1h30m", "five", "inf", "nan", "5S"])
    func refuses(text: String) {
        let problem = #expect(throws: RelayProblem.self) { try RelayDuration(parsing: text) }
        #expect(problem?.status == 422)
    }

    @Test(
        "Writes the shortest form",
        arguments: [
            (500, "500ms"), (5000, "5s"), (90_000, "90s"), (120_000, "2m"), (3_600_000, "1h"),
            (259_200_000, "3d"), (1500, "1500ms"),
        ] as [(Int64, String)])
    func description(millis: Int64, text: String) throws {
        let duration = RelayDuration(milliseconds: millis)
        #expect(duration.description == text)
        #expect(try RelayDuration(parsing: text) == duration)
    }

    @Test("Decodes strings and numbers of seconds; encodes the short form")
    func codable() throws {
        let decoded = try JSONDecoder().decode([RelayDuration].self, from: Data(#"["2m", 5, 0.25]"#.utf8))
        #expect(decoded.map(\.milliseconds) == [120_000, 5000, 250])
        let encoded = try JSONEncoder().encode([RelayDuration.seconds(7200)])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["2h"]"#)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([RelayDuration].self, from: Data(#"["5x"]"#.utf8))
        }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([RelayDuration].self, from: Data("[-1]".utf8)) }
    }

    @Test(
        "A duration too long to represent is refused, not a crash",
        arguments: ["999999999999999d", "99999999999999999999d", "1e300s", "1e300"])
    func overflowIsRefused(text: String) {
        #expect(throws: RelayProblem.self) { try RelayDuration(parsing: text) }
    }
}
