import Foundation

/// A decoded JSON value that keeps JSON's own types apart (a `1` is never a `true`), for reading
/// API request bodies field by field.
///
/// ```swift
/// let body = try JSONValue.object(from: bytes)   // strict RFC 8259, must be an object
/// body["enabled"]                                // .bool(true)
/// ```
public enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let list = try? container.decode([JSONValue].self) {
            self = .array(list)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let flag): try container.encode(flag)
        case .number(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        case .array(let list): try container.encode(list)
        case .object(let members): try container.encode(members)
        }
    }

    /// The members of `bytes`, which must be one valid JSON object.
    public static func object(from bytes: [UInt8]) throws(RelayProblem) -> [String: JSONValue] {
        do {
            _ = try JSONObjectScanner.scan(bytes, reading: [], everyKeyUnique: true)
            guard case .object(let members) = try JSONDecoder().decode(JSONValue.self, from: Data(bytes)) else {
                throw RelayProblem.malformed("the body must be a JSON object")
            }
            return members
        } catch let problem as RelayProblem {
            throw problem
        } catch JSONObjectScanner.Failure.duplicateMember(let name) {
            throw .malformed("the member '\(name)' appears twice")
        } catch {
            throw .malformed("the body is not a valid JSON object")
        }
    }

    /// The string, when this is one.
    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The number, when this is one.
    public var number: Double? {
        if case .number(let number) = self { return number }
        return nil
    }
}
