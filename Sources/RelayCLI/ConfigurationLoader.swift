import Foundation
import RelayCore
import Yams

/// Loads the relay's configuration: embedded defaults, then the YAML file, then `AUDITRELAY_*`
/// environment variables (upper-snake key paths, e.g. `AUDITRELAY_SERVER_LISTEN`).
///
/// ```swift
/// let configuration = try ConfigurationLoader.load(file: "Config/auditrelay.yaml",
///                                                  environment: ProcessInfo.processInfo.environment)
/// ```
public enum ConfigurationLoader {
    /// The conventional proxy variables, read (upper case first) when neither the file nor an
    /// `AUDITRELAY_` variable sets the key.
    static let proxyFallbacks = [
        (path: "delivery.proxy.url", names: ["HTTPS_PROXY", "https_proxy"]),
        (path: "delivery.proxy.noProxy", names: ["NO_PROXY", "no_proxy"]),
    ]

    /// Short names kept for the two token settings.
    static let aliases = ["AUDITRELAY_ADMIN_TOKEN": "auth.adminTokens", "AUDITRELAY_INGEST_TOKEN": "auth.ingestTokens"]

    /// Reads the file (when given) and the environment into a configuration, or throws a
    /// ``ConfigurationError`` that names the key at fault.
    public static func load(file: String?, environment: [String: String]) throws -> RelayConfiguration {
        var tree: [String: Any] = [:]
        if let file {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw ConfigurationError("cannot read the configuration file \(file)")
            }
            do {
                let loaded = try Yams.load(yaml: text)
                guard loaded == nil || loaded is [String: Any] else {
                    throw ConfigurationError("\(file): the top level must be a mapping of keys")
                }
                tree = loaded as? [String: Any] ?? [:]
            } catch let error as ConfigurationError {
                throw error
            } catch {
                throw ConfigurationError("\(file) is not valid YAML: \(error)")
            }
        }
        for key in RelayConfiguration.keys {
            if let value = environment[key.environmentName] {
                try set(&tree, path: key.path, to: parse(value, as: key.kind, name: key.environmentName))
            }
        }
        for (name, path) in aliases.sorted(by: { $0.key < $1.key }) {
            if let value = environment[name] { try set(&tree, path: path, to: parse(value, as: .list, name: name)) }
        }
        for (path, names) in proxyFallbacks where value(in: tree, path: path) == nil {
            if let name = names.first(where: { environment[$0] != nil }), let value = environment[name] {
                let kind = RelayConfiguration.keys.first { $0.path == path }?.kind ?? .string
                try set(&tree, path: path, to: parse(value, as: kind, name: name))
            }
        }
        return try decode(tree)
    }

    private static func parse(_ value: String, as kind: ConfigurationKey.Kind, name: String) throws -> Any {
        switch kind {
        case .string:
            return value
        case .list where !value.trimmingCharacters(in: .whitespaces).hasPrefix("["):
            return value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case .scalar, .list, .structured:
            do {
                return try Yams.load(yaml: value) ?? NSNull()
            } catch {
                throw ConfigurationError("\(name) is not a valid value: \(error)")
            }
        }
    }

    private static func set(_ tree: inout [String: Any], path: String, to value: Any) {
        set(&tree, parts: path.split(separator: ".").map(String.init)[...], to: value)
    }

    private static func set(_ tree: inout [String: Any], parts: ArraySlice<String>, to value: Any) {
        guard let first = parts.first else { return }
        guard parts.count > 1 else {
            tree[first] = value
            return
        }
        var section = tree[first] as? [String: Any] ?? [:]
        set(&section, parts: parts.dropFirst(), to: value)
        tree[first] = section
    }

    /// The value at a dotted path of the tree, if set.
    private static func value(in tree: [String: Any], path: String) -> Any? {
        var node: Any? = tree
        for part in path.split(separator: ".") { node = (node as? [String: Any])?[String(part)] }
        return node
    }

    private static func decode(_ tree: [String: Any]) throws -> RelayConfiguration {
        let data: Data
        do {
            data = try JSONSerialization.data(withJSONObject: jsonCompatible(tree))
        } catch {
            throw ConfigurationError("the configuration holds values that are not plain data")
        }
        do {
            return try JSONDecoder().decode(RelayConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw ConfigurationError(describe(error))
        }
    }

    /// Dates and other YAML-only values as strings, so the tree serializes as JSON.
    private static func jsonCompatible(_ value: Any) -> Any {
        switch value {
        case let dictionary as [String: Any]: dictionary.mapValues(jsonCompatible)
        case let array as [Any]: array.map(jsonCompatible)
        case is String, is Int, is Double, is Bool, is NSNull: value
        default: String(describing: value)
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }
                .description
        }
        switch error {
        case .dataCorrupted(let context):
            return "configuration \(path(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "configuration \(path(context.codingPath + [key])): is required"
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return "configuration \(path(context.codingPath)): expected \(type)"
        @unknown default:
            return "configuration: \(error)"
        }
    }
}

/// A configuration the relay refuses, with the key at fault.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
