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

    /// Keys that are only set together with another.
    static let partners = [
        "server.tls.certificateFile": "server.tls.keyFile", "server.tls.keyFile": "server.tls.certificateFile",
    ]

    /// `key`'s example, and its partner's when it has one, as environment variables.
    static func environment(for key: ConfigurationKey) throws -> [String: String] {
        var environment = [key.environmentName: key.example]
        if let partner = partners[key.path].flatMap({ path in RelayConfiguration.keys.first { $0.path == path } }) {
            environment[partner.environmentName] = partner.example
        }
        return environment
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
        let value =
            key.kind == .list && !key.example.hasPrefix("[")
            ? "[\(key.example)]" : key.example.contains(":") && key.kind == .string ? "\"\(key.example)\"" : key.example
        let parts = key.path.split(separator: ".")
        var yaml = parts.enumerated().map { depth, part in
            String(repeating: "  ", count: depth) + part + ":" + (depth == parts.count - 1 ? " \(value)" : "")
        }.joined(separator: "\n")
        if let partner = Self.partners[key.path], let name = partner.split(separator: ".").last {
            yaml += "\n" + String(repeating: "  ", count: parts.count - 1) + name + ": /partner.pem"
        }
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
