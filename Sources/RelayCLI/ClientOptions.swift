import ArgumentParser
import Foundation

/// `--server`, `--token` and `--json`, shared by every command that talks to a running relay.
struct ClientOptions: ParsableArguments {
    @Option(help: "The relay's URL (env AUDITRELAY_SERVER).")
    var server: String = ProcessInfo.processInfo.environment["AUDITRELAY_SERVER"] ?? "http://127.0.0.1:8080"

    @Option(name: .customLong("token"), help: "Admin token (env AUDITRELAY_ADMIN_TOKEN).")
    private var tokenArgument: String?

    /// `--token`, else `AUDITRELAY_ADMIN_TOKEN`.
    var token: String? { tokenArgument ?? ProcessInfo.processInfo.environment["AUDITRELAY_ADMIN_TOKEN"] }

    @Flag(help: "Print the relay's JSON answer instead of a table.")
    var json = false

    var client: APIClient { APIClient(server: server, token: token) }

    /// Prints `value` as JSON when `--json` is set, else runs `human`.
    func output(_ value: some Encodable, human: () -> Void) throws {
        guard json else { return human() }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

/// Prints rows as aligned columns under a header.
enum TableFormatter {
    static func render(header: [String], rows: [[String]]) -> String {
        let widths = header.indices.map { column in
            ([header[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        return ([header] + rows).map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

/// Reads `'Name: value'` command-line arguments into header fields.
enum HeaderArguments {
    static func parse(_ arguments: [String], option: String) throws -> [String: String] {
        var fields: [String: String] = [:]
        for argument in arguments {
            guard let colon = argument.firstIndex(of: ":") else {
                throw CommandFailure("\(option) '\(argument)' is not 'Name: value'")
            }
            fields[String(argument[..<colon]).trimmingCharacters(in: .whitespaces)] =
                String(argument[argument.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        return fields
    }
}
