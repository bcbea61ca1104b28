import ArgumentParser
import RelayCore

/// `auditrelay secrets generate`: prints a new random signing secret.
struct SecretsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets", abstract: "Signing secrets.", subcommands: [Generate.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new random secret: whsec_ + base64 of 32 random bytes.")

        func run() {
            print(WebhookSecrets.generate())
        }
    }
}
