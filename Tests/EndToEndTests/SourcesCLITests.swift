import Foundation
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

/// `auditrelay sources …` (SPEC §12) run as a process against a live relay: the token is printed
/// in full only by add, rotate and reveal; a bad value is one line on stderr.
@Suite struct SourcesCLITests {
    @Test func sourcesAreManagedFromTheCommandLine() async throws {
        let executable = try #require(auditrelayExecutable, "the auditrelay executable is built beside the tests")
        let directory = try TestFixtures.temporaryDirectory()
        try await withRelay(testConfiguration(directory: directory, webhooks: [])) { relay in
            let admin = ["--server", "http://127.0.0.1:\(relay.port)", "--token", testAdminToken]
            func run(_ arguments: [String]) async throws -> ProcessOutput {
                try await runProcess(executable, ["sources"] + arguments + admin)
            }
            let added = try await run(["add", "--name", "acme GitHub", "--provider", "github"])
            #expect(added.status == 0, "\(added.stderr)")
            let store = try relay.openStore()
            let source = try #require(try await store.sources().first)
            #expect(added.stdout.contains("secret token: \(source.secrets.current)"))
            #expect(added.stdout.contains("status: PENDING"))

            let list = try await run(["list"])
            #expect(list.stdout.contains(source.id) && list.stdout.contains("PENDING"))
            #expect(!list.stdout.contains("whsec_"), "a list never shows the token")
            let shown = try await run(["show", source.id])
            #expect(!shown.stdout.contains(source.secrets.current))

            let rotated = try await run(["rotate", source.id, "--grace", "2h"])
            let after = try #require(try await store.source(id: source.id))
            #expect(after.secrets.status == .configuring && after.secrets.previous == source.secrets.current)
            #expect(rotated.stdout.contains("secret token: \(after.secrets.current)"))
            let revealed = try await run(["reveal", source.id])
            #expect(revealed.stdout == after.secrets.current + "\n")

            let badGrace = try await run(["rotate", source.id, "--grace", "soon"])
            #expect(badGrace.status != 0 && badGrace.stderr.contains("--grace: 'soon' is not a duration"))
            let badProvider = try await run(["add", "--name", "x", "--provider", "svn"])
            #expect(badProvider.status != 0 && badProvider.stderr.contains("svn"))

            #expect(try await run(["update", source.id, "--name", "acme org"]).status == 0)
            #expect(try await store.source(id: source.id)?.name == "acme org")
            #expect(try await run(["remove", source.id]).status == 0)
            #expect(try await store.sources().isEmpty)
        }
    }
}
