import Foundation

/// Reads an HTTP `Retry-After` value: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
public enum RetryAfter {
    /// The delay the value asks for, in milliseconds from `now` (never negative), or `nil` when it
    /// is not a valid `Retry-After`.
    public static func delayMillis(_ value: String, now: Int64) -> Int64? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            guard let seconds = Int64(trimmed.prefix(12)) else { return nil }
            return seconds * 1000
        }
        guard let date = HTTPDate.parseMillis(trimmed) else { return nil }
        return max(0, date - now)
    }
}
