import Foundation

/// A configured length of time, written `500ms`, `5s`, `2m`, `1h` or `7d` (a bare number means
/// seconds).
///
/// ```swift
/// try RelayDuration(parsing: "2m").milliseconds  // 120_000
/// ```
public struct RelayDuration: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The length in milliseconds.
    public var milliseconds: Int64

    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    /// A duration of whole seconds.
    public static func seconds(_ seconds: Int64) -> RelayDuration { RelayDuration(milliseconds: seconds * 1000) }

    /// Reads `500ms`, `5s`, `2m`, `1h`, `7d` or a bare number of seconds.
    public init(parsing text: String) throws(RelayProblem) {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count)
            if let value = Int64(number), value >= 0, !(suffix == "m" && number.hasSuffix("m")) {
                let (product, overflow) = value.multipliedReportingOverflow(by: factor)
                guard !overflow else { break }
                self.milliseconds = product
                return
            }
            if let value = Double(number), let millis = Self.millis(value * Double(factor)) {
                self.milliseconds = millis
                return
            }
        }
        if let seconds = Double(trimmed), let millis = Self.millis(seconds * 1000) {
            self.milliseconds = millis
            return
        }
        throw RelayProblem.invalid([
            FieldError(field: "duration", reason: "'\(text)' is not a duration such as 500ms, 5s, 2m, 1h or 7d")
        ])
    }

    /// Whole milliseconds, when the value is a sensible duration (0 to 100 years).
    private static func millis(_ value: Double) -> Int64? {
        guard value.isFinite, value >= 0, value <= 100 * 365.25 * 86_400_000 else { return nil }
        return Int64(value.rounded())
    }

    /// The shortest way to write the duration in the configuration's notation.
    public var description: String {
        let units: [(String, Int64)] = [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)]
        for (suffix, factor) in units where milliseconds >= factor && milliseconds % factor == 0 {
            return "\(milliseconds / factor)\(suffix)"
        }
        return "\(milliseconds)ms"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let seconds = try? container.decode(Double.self) {
            guard seconds >= 0, seconds.isFinite else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "a duration may not be negative")
            }
            self.milliseconds = Int64((seconds * 1000).rounded())
            return
        }
        let text = try container.decode(String.self)
        do {
            self = try RelayDuration(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.errors.first?.reason ?? "")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
