import ArgumentParser

@testable import RelayCLI

/// Parses `arguments` as `auditrelay …` and runs the command in this process.
func runCommand(_ arguments: [String]) async throws {
    var command = try AuditRelayCommand.parseAsRoot(arguments)
    if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
    } else {
        try command.run()
    }
}

/// The error `arguments` end with (its one-line description), or `nil` when the command succeeds.
func commandFailure(_ arguments: [String]) async -> String? {
    do {
        try await runCommand(arguments)
        return nil
    } catch {
        return "\(error)"
    }
}
