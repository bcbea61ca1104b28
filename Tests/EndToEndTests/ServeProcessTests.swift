import Foundation
import RelayTestSupport
import Testing

/// `auditrelay serve` as a process whose stdout is a file, as under systemd or `docker logs`.
@Suite struct ServeProcessTests {
    @Test func generatedTokensReachARedirectedStdoutWhileTheRelayRuns() async throws {
        let executable = try #require(auditrelayExecutable, "the auditrelay executable is built beside the tests")
        let directory = try TestFixtures.temporaryDirectory()
        let config = directory.appendingPathComponent("auditrelay.yaml")
        try """
        server:
          listen: "127.0.0.1:0"
        store:
          path: "\(directory.appendingPathComponent("relay.sqlite").path)"
        """.write(to: config, atomically: true, encoding: .utf8)
        let relay = try RunningProcess(executable, ["serve", "--config", config.path])
        defer { relay.stop() }
        let printed = await relay.waitForLines(2, timeout: .seconds(20))
        #expect(relay.isRunning, "the relay is still running: the lines were not flushed by its exit")
        try #require(printed, "stdout: \(relay.stdout) stderr: \(relay.stderr)")
        let tokens = relay.lines.compactMap { $0.firstMatch(of: /Generated (\w+) token .*: (\S+)$/) }
        #expect(tokens.map { String($0.1) }.sorted() == ["admin", "ingest"])
        #expect(tokens.allSatisfy { $0.2.count >= 32 })
    }
}
