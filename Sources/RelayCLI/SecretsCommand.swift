import ArgumentParser
import RelayCore

/// `auditrelay secrets generate`: prints a new random signing secret.
struct SecretsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets", abstract: "Signing secrets.", subcommands: [Generate.self])

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new random secret (whsec_ + base64 of 32 random bytes); with --webhook, the relay "
                + "makes it and adds it to that webhook.")

        @OptionGroup var options: ClientOptions
        @Option(help: "Add the new secret to this webhook (id) on the running relay.") var webhook: String?

        func run() async throws {
            guard let webhook else { return print(WebhookSecrets.generate()) }
            let added = try await options.client.call(.post, "/v1/webhooks/\(webhook)/secrets", as: SecretAdded.self)
            try options.output(added) { print(added.secret) }
        }
    }
}
