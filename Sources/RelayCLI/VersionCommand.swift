import ArgumentParser
import RelayCore

/// `auditrelay version`
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the relay's version.")

    func run() {
        print("auditrelay \(RelayVersion.current)")
    }
}
