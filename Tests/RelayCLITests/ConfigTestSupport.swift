import Foundation
import RelayCore
import RelayTestSupport

@testable import RelayCLI

/// Writes `yaml` to a file in a fresh temporary directory, runs `body` with its path, and removes it.
func withConfigFile<T>(_ yaml: String, _ body: (String) throws -> T) throws -> T {
    let directory = try TestFixtures.temporaryDirectory()
    let file = directory.appendingPathComponent("auditrelay.yaml")
    try Data(yaml.utf8).write(to: file)
    return try body(file.path)
}

/// Loads `yaml` (from a temporary file) with `environment`.
func load(yaml: String, environment: [String: String] = [:]) throws -> RelayConfiguration {
    try withConfigFile(yaml) { try ConfigurationLoader.load(file: $0, environment: environment) }
}

/// Loads with no file.
func load(environment: [String: String]) throws -> RelayConfiguration {
    try ConfigurationLoader.load(file: nil, environment: environment)
}

/// The description of the `ConfigurationError` that loading throws, or `nil` when it loads.
func configurationError(yaml: String? = nil, environment: [String: String] = [:]) -> String? {
    do {
        if let yaml {
            _ = try load(yaml: yaml, environment: environment)
        } else {
            _ = try load(environment: environment)
        }
        return nil
    } catch let error as ConfigurationError {
        return error.description
    } catch {
        return "not a ConfigurationError: \(error)"
    }
}

/// Durations from whole seconds.
func seconds(_ values: Int64...) -> [RelayDuration] {
    values.map { RelayDuration.seconds($0) }
}
