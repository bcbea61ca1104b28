import Foundation

/// Parses HTTP-dates (RFC 9110 §5.6.7): IMF-fixdate and the two obsolete forms a recipient
/// must still accept, RFC 850 and asctime.
///
/// ```swift
/// HTTPDate.parseMillis("Sun, 06 Nov 1994 08:49:37 GMT")  // 784111777000
/// ```
public enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Unix milliseconds, or `nil` when `text` is not an HTTP-date.
    public static func parseMillis(_ text: String) -> Int64? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        if words.count == 4, words[3] == "GMT" {
            if words[1].contains("-") {
                // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
                let parts = words[1].split(separator: "-").map(String.init)
                guard parts.count == 3, let shortYear = Int(parts[2]), parts[2].count == 2 else { return nil }
                let year = shortYear < 70 ? 2000 + shortYear : 1900 + shortYear
                return build(day: parts[0], month: parts[1], year: year, time: words[2])
            }
            return nil
        }
        if words.count == 6, words[5] == "GMT", let year = Int(words[3]), words[3].count == 4 {
            // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
            return build(day: words[1], month: words[2], year: year, time: words[4])
        }
        if words.count == 5, let year = Int(words[4]), words[4].count == 4 {
            // asctime: Sun Nov  6 08:49:37 1994
            return build(day: words[2], month: words[1], year: year, time: words[3])
        }
        return nil
    }

    private static func build(day: String, month: String, year: Int, time: String) -> Int64? {
        guard let dayNumber = Int(day), (1...2).contains(day.count),
            let monthIndex = months.firstIndex(of: month.lowercased())
        else { return nil }
        let clock = time.split(separator: ":")
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 }) else { return nil }
        guard (0...9999).contains(year) else { return nil }
        let stamp = "\(padded(year, 4))-\(padded(monthIndex + 1, 2))-\(padded(dayNumber, 2))T\(time)Z"
        return RFC3339.parseMillis(stamp)
    }

    private static func padded(_ number: Int, _ width: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
