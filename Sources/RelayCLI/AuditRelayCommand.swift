import ArgumentParser
import RelayCore

/// `auditrelay`: the relay and its operator commands.
public struct AuditRelayCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "auditrelay",
        abstract: "Audit-log forwarding relay: ingest audit events, deliver them to Slack and SIEMs.",
        version: RelayVersion.current,
        subcommands: [
            ServeCommand.self, WebhooksCommand.self, SourcesCommand.self, SecretsCommand.self, DeliveriesCommand.self,
            EventsCommand.self, VerifyCommand.self,
            CheckURLCommand.self, VersionCommand.self,
        ])

    public init() {}

    /// Parses the process's arguments and runs the chosen command (the executable's entry point).
    public static func runFromCommandLine() async {
        await main()
    }
}
