import ArgumentParser
import Foundation
import Hummingbird
import Logging
import RelayCore
import RelayServer
import RelayWeb

/// `auditrelay serve [--config FILE]`: HTTP API and delivery in one process until SIGTERM/SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the relay: HTTP API and delivery workers.")

    @Option(name: .long, help: "YAML configuration file (default: embedded defaults).")
    var config: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration = try ConfigurationLoader.load(file: config, environment: environment)
        let logger = RelayLogging.bootstrap(configuration.log)
        let app = try await buildApplication(
            configuration: configuration,
            options: ApplicationOptions(
                secretKey: environment["AUDITRELAY_SECRET_KEY"],
                onServerRunning: { port in
                    logger.info("AuditRelay listening", metadata: ["http.port": "\(port)"])
                }, modules: [try SettingsPage(configuration: configuration)]),
            logger: logger)
        try await app.runService()
    }
}
