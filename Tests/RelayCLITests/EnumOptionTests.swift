import ArgumentParser
import Foundation
import RelayCore
import Testing

@testable import RelayCLI

/// Options whose values are the relay's enums are parsed into them, and anything else is refused
/// by the parser with the choices listed, before a request is made.
@Suite struct EnumOptionTests {
    private static let admin = ["--server", "http://127.0.0.1:1", "--token", "t"]

    @Test func enumValuesAreParsedIntoTheirCases() throws {
        let add = try #require(
            try AuditRelayCommand.parseAsRoot(
                [
                    "webhooks", "add", "--name", "n", "--url", "https://a.example.com", "--kind", "custom", "--format",
                    "splunk-hec",
                ] + Self.admin) as? WebhooksCommand.Add)
        #expect(add.fields.kind == .custom && add.fields.format == .splunkHEC)
        let list = try #require(
            try AuditRelayCommand.parseAsRoot(["deliveries", "list", "--status", "retrying"] + Self.admin)
                as? DeliveriesCommand.List)
        #expect(list.filters.status == .retrying)
        let replay = try #require(
            try AuditRelayCommand.parseAsRoot(
                ["deliveries", "replay", "--webhook", "wh_1", "--since", "2026-01-01T00:00:00Z", "--status", "expired"]
                    + Self.admin) as? DeliveriesCommand.Replay)
        #expect(replay.status == .expired)
    }

    @Test(arguments: [
        ["webhooks", "add", "--name", "n", "--url", "https://a.example.com", "--kind", "teams"],
        ["webhooks", "add", "--name", "n", "--url", "https://a.example.com", "--format", "xml"],
        ["deliveries", "list", "--status", "lost"],
        ["deliveries", "replay", "--webhook", "wh_1", "--since", "2026-01-01T00:00:00Z", "--status", "lost"],
    ])
    func anythingElseIsRefusedByTheParser(_ arguments: [String]) {
        let error = #expect(throws: (any Error).self) { try AuditRelayCommand.parseAsRoot(arguments + Self.admin) }
        let message = error.map { AuditRelayCommand.message(for: $0) } ?? ""
        #expect(message.contains("--") && message.localizedCaseInsensitiveContains("value"), "\(message)")
    }
}
