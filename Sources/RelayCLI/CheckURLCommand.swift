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

/// A command's failure: one line on stderr, exit code 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
