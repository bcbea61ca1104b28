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
