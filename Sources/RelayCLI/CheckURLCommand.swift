import ArgumentParser
import RelayCore

/// `auditrelay check-url URL`: says whether a destination URL is accepted, and why not.
struct CheckURLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-url", abstract: "Check a destination URL against the relay's URL rules.")

    @Argument(help: "The destination URL.")
    var url: String

    func run() throws {
        if let reason = DestinationURL.problem(url) { throw CommandFailure("refused: \(reason)") }
        print("ok: \(url) is an acceptable destination")
    }
}
