import ArgumentParser
import Foundation

/// `auditrelay events send`: one event from flags, or NDJSON from stdin.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Send audit events to a running relay.", subcommands: [Send.self])

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send one event built from options, or NDJSON events read from stdin (without --type).")

        @Option(help: "The relay's URL (env AUDITRELAY_SERVER).")
        var server: String = ProcessInfo.processInfo.environment["AUDITRELAY_SERVER"] ?? "http://127.0.0.1:8080"
        @Option(name: .customLong("token"), help: "Ingest token (env AUDITRELAY_INGEST_TOKEN).")
        private var tokenArgument: String?
        private var token: String? {
            tokenArgument ?? ProcessInfo.processInfo.environment["AUDITRELAY_INGEST_TOKEN"]
        }
        @Option(help: "Event type, e.g. user.login. Without it, NDJSON is read from stdin.") var type: String?
        @Option(help: "Event id (idempotency key).") var id: String?
        @Option(help: "Who acted.") var actor: String?
        @Option(help: "What was acted on.") var target: String?
        @Option(help: "A JSON value for the event's data member.") var data: String?
        @Flag(help: "Print the relay's JSON answer.") var json = false

        func run() async throws {
            let client = APIClient(server: server, token: token)
            let answer: Any?
            if let type {
                var event: [String: Any] = ["type": type]
                event["id"] = id
                event["actor"] = actor
                event["target"] = target
                if let data {
                    guard
                        let value = try? JSONSerialization.jsonObject(
                            with: Data(data.utf8), options: [.fragmentsAllowed])
                    else { throw CommandFailure("--data is not valid JSON") }
                    event["data"] = value
                }
                answer = try await client.call(.post, "/v1/events", json: event)
            } else {
                let input = FileHandle.standardInput.readDataToEndOfFile()
                guard !input.isEmpty else { throw CommandFailure("give --type, or NDJSON events on stdin") }
                answer = try await client.call(.post, "/v1/events", body: input, contentType: "application/x-ndjson")
            }
            let receipt = answer as? [String: Any] ?? [:]
            if json {
                let data = try JSONSerialization.data(withJSONObject: receipt, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                let ids = (receipt["ids"] as? [String] ?? []).joined(separator: " ")
                print(
                    "accepted \(receipt["accepted"] as? Int ?? 0), duplicates \(receipt["duplicates"] as? Int ?? 0): \(ids)"
                )
            }
        }
    }
}
