import Foundation

/// Refuses members a decoder does not know, so a misspelt configuration key is an error, not a
/// silently ignored line.
public enum StrictKeys {
    /// Throws a `DecodingError` naming the first member of the current object not in `known`.
    public static func refuseUnknown(in decoder: any Decoder, known: [String]) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        if let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "unknown key '\(unknown)'"))
        }
    }
}

/// A coding key for any member name.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
