import ArgumentParser
import Foundation
import RelayCore

/// `auditrelay sources list|show|add|update|remove|rotate|reveal` (SPEC §12).
struct SourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources",
        abstract: "Manage inbound sources (GitHub, Bitbucket, Jira, GitLab) on a running relay.",
        subcommands: [List.self, Show.self, Add.self, Update.self, Remove.self, Rotate.self, Reveal.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List sources with their secret status.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let list = try await options.client.call(.get, "/v1/sources", as: SourceList.self)
            try options.output(list) {
                let rows = list.sources.map { source in
                    [
                        source.id, source.name, source.provider.rawValue, source.secretStatus.rawValue,
                        "\(source.rejected)", source.url,
                    ]
                }
                print(
                    TableFormatter.render(header: ["ID", "NAME", "PROVIDER", "STATUS", "REJECTED", "URL"], rows: rows))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one source.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The source's id.") var id: String

        func run() async throws {
            let source = try await options.client.call(.get, "/v1/sources/\(id)", as: SourceResource.self)
            try options.output(source) { SourcePrinter.print(source) }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a source; prints its URL and secret token (shown in full this once).")
        @OptionGroup var options: ClientOptions
        @Option(help: "Unique name, e.g. 'acme GitHub org'.") var name: String
        @Option(help: "Who sends its webhooks.") var provider: InboundProvider

        func run() async throws {
            let source = try await options.client.call(
                .post, "/v1/sources", json: SourceRequest(name: name, provider: provider), as: SourceResource.self)
            try options.output(source) { SourcePrinter.print(source) }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rename a source.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The source's id.") var id: String
        @Option(help: "The new name.") var name: String

        func run() async throws {
            let source = try await options.client.call(
                .patch, "/v1/sources/\(id)", json: SourceRequest(name: name), as: SourceResource.self)
            try options.output(source) { SourcePrinter.print(source) }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a source (the events it sent stay).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The source's id.") var id: String

        func run() async throws {
            try await options.client.send(.delete, "/v1/sources/\(id)")
            try options.output(["removed": id]) { print("removed \(id)") }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change the secret token; prints the new one. The previous one is accepted for the grace.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The source's id.") var id: String
        @Option(help: "How long the previous token stays accepted, e.g. 24h or 0s (default: inbound.rotationGrace).")
        var grace: String?

        func run() async throws {
            let rotation = SourceRotation(
                grace: try grace.map { text in
                    do {
                        return try RelayDuration(parsing: text)
                    } catch {
                        throw ValidationError("--grace: '\(text)' is not a duration such as 24h, 30m or 0s")
                    }
                })
            let source = try await options.client.call(
                .post, "/v1/sources/\(id)/secret/rotate", json: rotation, as: SourceResource.self)
            try options.output(source) { SourcePrinter.print(source) }
        }
    }

    struct Reveal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a source's current secret token.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The source's id.") var id: String

        func run() async throws {
            let secret = try await options.client.call(.post, "/v1/sources/\(id)/secret/reveal", as: SourceSecret.self)
            try options.output(secret) { print(secret.secret) }
        }
    }
}

/// A source as the CLI prints it.
enum SourcePrinter {
    static func print(_ source: SourceResource) {
        var lines = [
            "id: \(source.id)", "name: \(source.name)", "provider: \(source.provider.rawValue)", "url: \(source.url)",
            "status: \(source.secretStatus.rawValue)" + (source.stateReason.map { " (\($0))" } ?? ""),
        ]
        if let secret = source.secret ?? nil { lines.append("secret token: \(secret)") }
        if let deadline = source.deadline { lines.append("deadline: \(deadline)") }
        if source.progress.total > 0 {
            lines.append("progress: \(source.progress.switched) of \(source.progress.total) senders use the new token")
        }
        if !source.lagging.isEmpty {
            lines.append("still on the previous token: \(source.lagging.joined(separator: ", "))")
        }
        for sender in source.senders {
            lines.append(
                "sender: \(sender.name) (last verified \(sender.lastVerifiedAt)\(sender.onCurrentSecret ? "" : ", previous token"))"
            )
        }
        lines.append("rejected: \(source.rejected)" + (source.lastRejectedAt.map { ", last \($0)" } ?? ""))
        Swift.print(lines.joined(separator: "\n"))
    }
}
