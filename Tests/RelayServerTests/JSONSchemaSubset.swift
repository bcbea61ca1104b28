import Foundation
import RelayCore

/// Checks a JSON value against an OpenAPI 3.1 schema, for the keywords the relay's document uses:
/// `$ref`, `type`, `const`, `enum`, `required`, `properties`, `additionalProperties`, `items`,
/// `allOf`, `anyOf`, `oneOf`, `pattern`, `minimum`, `maximum`, `minItems`, `maxItems`,
/// `minLength`, `maxLength`, `maxProperties`. Annotations (`description`, `format`, `default`,
/// `example`, `writeOnly`, …) and the `if`/`then`/`else` of request schemas are not checked.
struct JSONSchemaSubset {
    /// `components.schemas` of the document.
    let schemas: [String: JSONValue]

    /// Every way `value` breaks `schema`, each with its JSON path; empty when it conforms.
    func problems(_ value: JSONValue, against schema: JSONValue, at path: String = "$") -> [String] {
        guard case .object(let rules) = schema else { return [] }
        var found: [String] = []
        if let reference = rules["$ref"]?.string {
            let name = String(reference.split(separator: "/").last ?? "")
            guard let target = schemas[name] else { return ["\(path): unknown $ref \(reference)"] }
            found += problems(value, against: target, at: path)
        }
        if let types = rules["type"], !Self.types(types).contains(where: { Self.value(value, is: $0) }) {
            found.append("\(path): \(Self.describe(value)) is not \(Self.types(types).joined(separator: " or "))")
            return found
        }
        if let constant = rules["const"], constant != value { found.append("\(path): must be \(constant)") }
        if case .array(let allowed)? = rules["enum"], !allowed.contains(value) {
            found.append("\(path): \(Self.describe(value)) is not one of the enum")
        }
        if case .array(let parts)? = rules["allOf"] {
            for part in parts { found += problems(value, against: part, at: path) }
        }
        for keyword in ["anyOf", "oneOf"] {
            guard case .array(let choices)? = rules[keyword] else { continue }
            if !choices.contains(where: { problems(value, against: $0, at: path).isEmpty }) {
                found.append("\(path): matches none of \(keyword)")
            }
        }
        switch value {
        case .object(let members): found += objectProblems(members, rules, at: path)
        case .array(let items): found += arrayProblems(items, rules, at: path)
        case .string(let text): found += Self.stringProblems(text, rules, at: path)
        case .number(let number):
            if let minimum = rules["minimum"]?.number, number < minimum { found.append("\(path): below \(minimum)") }
            if let maximum = rules["maximum"]?.number, number > maximum { found.append("\(path): above \(maximum)") }
        case .null, .bool: break
        }
        return found
    }

    /// The object members a schema (following `$ref` and `allOf`) declares.
    func declaredProperties(of schema: JSONValue) -> Set<String> {
        guard case .object(let rules) = schema else { return [] }
        var names = Set<String>()
        if case .object(let properties)? = rules["properties"] { names.formUnion(properties.keys) }
        if let reference = rules["$ref"]?.string,
            let target = schemas[String(reference.split(separator: "/").last ?? "")]
        {
            names.formUnion(declaredProperties(of: target))
        }
        if case .array(let parts)? = rules["allOf"] {
            for part in parts { names.formUnion(declaredProperties(of: part)) }
        }
        return names
    }

    private func objectProblems(_ members: [String: JSONValue], _ rules: [String: JSONValue], at path: String)
        -> [String]
    {
        var found: [String] = []
        if case .array(let required)? = rules["required"] {
            for case .string(let name) in required where members[name] == nil {
                found.append("\(path): required member \(name) is missing")
            }
        }
        let properties: [String: JSONValue] =
            if case .object(let declared)? = rules["properties"] { declared } else { [:] }
        for (name, member) in members.sorted(by: { $0.key < $1.key }) {
            if let property = properties[name] {
                found += problems(member, against: property, at: "\(path).\(name)")
            } else if rules["additionalProperties"] == .bool(false) {
                found.append("\(path): member \(name) is not in the schema")
            } else if let additional = rules["additionalProperties"], case .object = additional {
                found += problems(member, against: additional, at: "\(path).\(name)")
            }
        }
        if let most = rules["maxProperties"]?.number, Double(members.count) > most {
            found.append("\(path): more than \(most) members")
        }
        return found
    }

    private func arrayProblems(_ items: [JSONValue], _ rules: [String: JSONValue], at path: String) -> [String] {
        var found: [String] = []
        if let fewest = rules["minItems"]?.number, Double(items.count) < fewest {
            found.append("\(path): too few items")
        }
        if let most = rules["maxItems"]?.number, Double(items.count) > most { found.append("\(path): too many items") }
        if let itemSchema = rules["items"] {
            for (index, item) in items.enumerated() {
                found += problems(item, against: itemSchema, at: "\(path)[\(index)]")
            }
        }
        return found
    }

    private static func stringProblems(_ text: String, _ rules: [String: JSONValue], at path: String) -> [String] {
        var found: [String] = []
        if let pattern = rules["pattern"]?.string, text.range(of: pattern, options: .regularExpression) == nil {
            found.append("\(path): \"\(text)\" does not match \(pattern)")
        }
        if let shortest = rules["minLength"]?.number, Double(text.count) < shortest {
            found.append("\(path): too short")
        }
        if let longest = rules["maxLength"]?.number, Double(text.count) > longest { found.append("\(path): too long") }
        return found
    }

    private static func types(_ value: JSONValue) -> [String] {
        switch value {
        case .string(let name): [name]
        case .array(let names): names.compactMap(\.string)
        default: []
        }
    }

    private static func value(_ value: JSONValue, is type: String) -> Bool {
        switch (value, type) {
        case (.null, "null"), (.bool, "boolean"), (.string, "string"), (.array, "array"), (.object, "object"),
            (.number, "number"):
            true
        case (.number(let number), "integer"): number == number.rounded()
        default: false
        }
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string(let text): "\"\(text)\""
        case .array: "an array"
        case .object: "an object"
        }
    }
}
