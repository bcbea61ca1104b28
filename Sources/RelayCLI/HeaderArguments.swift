import Foundation

/// Reads `'Name: value'` command-line arguments into header fields.
enum HeaderArguments {
    static func parse(_ arguments: [String], option: String) throws -> [String: String] {
        var fields: [String: String] = [:]
        for argument in arguments {
            guard let colon = argument.firstIndex(of: ":") else {
                throw CommandFailure("\(option) '\(argument)' is not 'Name: value'")
            }
            fields[String(argument[..<colon]).trimmingCharacters(in: .whitespaces)] =
                String(argument[argument.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        return fields
    }
}
