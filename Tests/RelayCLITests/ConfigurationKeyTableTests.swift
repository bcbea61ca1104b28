import Foundation
import RelayCore
import Testing
import Yams

@testable import RelayCLI

/// `RelayConfiguration.keys` is the one list of configuration keys: each is read from the file
/// and from its environment variable, and the example file and docs/configuration.md show exactly
/// these keys.
@Suite struct ConfigurationKeyTableTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")

    /// Keys that are only set together with others.
    static let partners = [
        "server.tls.certificateFile": ["server.tls.keyFile"], "server.tls.keyFile": ["server.tls.certificateFile"],
        "slack.clientID": ["slack.clientSecret", "slack.redirectURL"],
    ]

    static func partnerKeys(of key: ConfigurationKey) -> [ConfigurationKey] {
        (partners[key.path] ?? []).compactMap { path in RelayConfiguration.keys.first { $0.path == path } }
    }

    /// `key`'s example, and its partners' when it has some, as environment variables.
    static func environment(for key: ConfigurationKey) throws -> [String: String] {
        var environment = [key.environmentName: key.example]
        for partner in partnerKeys(of: key) { environment[partner.environmentName] = partner.example }
        return environment
    }

    /// `key` as a line of YAML at its depth (string values quoted, as an id like `1234.5678` must be).
    static func yamlLine(_ key: ConfigurationKey) -> String {
        let value =
            key.kind == .list && !key.example.hasPrefix("[")
            ? "[\(key.example)]" : key.kind == .string ? "\"\(key.example)\"" : key.example
        let parts = key.path.split(separator: ".")
        return String(repeating: "  ", count: parts.count - 1) + (parts.last.map(String.init) ?? "") + ": \(value)"
    }

    @Test(arguments: RelayConfiguration.keys.map(\.path))
    func eachKeyIsReadFromItsEnvironmentVariable(path: String) throws {
        let key = try #require(RelayConfiguration.keys.first { $0.path == path })
        let configuration = try load(environment: try Self.environment(for: key))
        #expect(configuration != RelayConfiguration(), "\(key.environmentName)=\(key.example) changed nothing")
    }

    @Test(arguments: RelayConfiguration.keys.map(\.path))
    func eachKeyIsReadFromTheFile(path: String) throws {
        let key = try #require(RelayConfiguration.keys.first { $0.path == path })
        let parts = key.path.split(separator: ".")
        var yaml = parts.dropLast().enumerated().map { depth, part in
            String(repeating: "  ", count: depth) + part + ":"
        }.joined(separator: "\n")
        for line in [key] + Self.partnerKeys(of: key) { yaml += (yaml.isEmpty ? "" : "\n") + Self.yamlLine(line) }
        #expect(try load(yaml: yaml) != RelayConfiguration(), "\(yaml) changed nothing")
    }

    @Test func theExampleFileShowsExactlyTheseKeys() throws {
        let text = try String(
            contentsOf: Self.root.appendingPathComponent("Config/auditrelay.yaml"), encoding: .utf8)
        let tree = try #require(try Yams.load(yaml: text) as? [String: Any])
        let structured = Set(RelayConfiguration.keys.filter { $0.kind == .structured }.map(\.path))
        func leaves(_ node: [String: Any], _ prefix: String) -> [String] {
            node.flatMap { name, value -> [String] in
                let path = prefix + name
                if let section = value as? [String: Any], !structured.contains(path) {
                    return leaves(section, path + ".")
                }
                return [path]
            }
        }
        #expect(Set(leaves(tree, "")) == Set(RelayConfiguration.keys.map(\.path)))
    }

    @Test func theConfigurationDocumentListsEveryKeyWithItsVariable() throws {
        let text = try String(
            contentsOf: Self.root.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("| `") }.map(String.init)
        let expected = RelayConfiguration.keys.map { key in
            "| `\(key.path)` | `\(key.environmentName)` | `\(key.example)` | \(key.summary) |"
        }
        #expect(rows == expected, "docs/configuration.md's table should read:\n\(expected.joined(separator: "\n"))")
    }
}
