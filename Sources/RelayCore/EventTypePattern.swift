import Foundation

/// One event-type subscription of a webhook: an exact type, `*` for every type, or a prefix
/// pattern such as `repo.*` (every type that starts with `repo.`).
///
/// ```swift
/// let pattern = try EventTypePattern(parsing: "repo.*")
/// pattern.matches("repo.deleted")  // true
/// pattern.matches("repo")          // false
/// ```
public struct EventTypePattern: Sendable, Hashable, Codable, CustomStringConvertible {
    private enum Kind: Hashable {
        case everything
        case prefix(String)
        case exact(String)
    }

    private let kind: Kind

    /// `*`: every event type.
    public static let everything = EventTypePattern(kind: .everything)

    private init(kind: Kind) {
        self.kind = kind
    }

    /// The pattern as written.
    public var description: String {
        switch kind {
        case .everything: "*"
        case .prefix(let prefix): prefix + "*"
        case .exact(let type): type
        }
    }

    /// Reads a pattern, or explains why it is not one.
    public init(parsing text: String) throws(RelayProblem) {
        if text == "*" {
            kind = .everything
        } else if text.hasSuffix(".*") {
            let prefix = String(text.dropLast())
            if let problem = EventRules.typeProblem(String(prefix.dropLast())) {
                throw .invalid([
                    FieldError(field: "events", reason: "'\(text)' is not a valid pattern: the prefix \(problem)")
                ])
            }
            kind = .prefix(prefix)
        } else {
            if let problem = EventRules.typeProblem(text) {
                throw .invalid([
                    FieldError(field: "events", reason: "'\(text)' is not a valid event type: it \(problem)")
                ])
            }
            kind = .exact(text)
        }
    }

    /// Whether an event of `type` is delivered under this subscription.
    public func matches(_ type: String) -> Bool {
        switch kind {
        case .everything: true
        case .prefix(let prefix): type.hasPrefix(prefix) && type.count > prefix.count
        case .exact(let exact): type == exact
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try EventTypePattern(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.detail))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Array where Element == EventTypePattern {
    /// Whether any subscription in the list matches `type`.
    public func matches(_ type: String) -> Bool {
        contains { $0.matches(type) }
    }
}
