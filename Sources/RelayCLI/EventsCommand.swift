import ArgumentParser
import Foundation
import RelayCore

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
            let body: Data
            let contentType: String
            if let type {
                // The event is the operator's own JSON (its `data` kept exactly, big integers too),
                // not an API type.
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
                body = try JSONSerialization.data(withJSONObject: event)
                contentType = "application/json"
            } else {
                body = FileHandle.standardInput.readDataToEndOfFile()
                guard !body.isEmpty else { throw CommandFailure("give --type, or NDJSON events on stdin") }
                contentType = "application/x-ndjson"
            }
            let answer = try await client.send(.post, "/v1/events", body: body, contentType: contentType)
            let receipt = try APIClient.decode(IngestAccepted.self, from: answer, path: "/v1/events")
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(receipt), as: UTF8.self))
            } else {
                print(
                    "accepted \(receipt.accepted), duplicates \(receipt.duplicates): \(receipt.ids.joined(separator: " "))"
                )
            }
        }
    }
}
