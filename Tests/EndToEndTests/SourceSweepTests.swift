import Foundation
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

@testable import RelayServer

/// The sweep brings a source's status up to date without any request (SPEC §12: at least once a
/// minute): a grace that ended becomes FAILED in the store, and the change is logged once.
@Suite struct SourceSweepTests {
    @Test func aGraceThatEndedIsWrittenAndLoggedOnceWithoutTraffic() async throws {
        let directory = try TestFixtures.temporaryDirectory()
        let sealer = try SecretSealer.load(
            environmentKey: nil, keyFile: directory.appendingPathComponent("auditrelay.key").path)
        let store = try AuditStore(path: directory.appendingPathComponent("relay.sqlite").path, sealer: sealer)
        var source = Source(name: "acme", provider: .bitbucket, secret: "whsec_old", now: 0)
        _ = source.secrets.verified(sender: "acme/api", secret: "whsec_old", now: 1)
        source.secrets.rotate(to: "whsec_new", grace: 1000, now: 2)
        try await store.createSource(
            source, recording: RelayAuditEvent(.sourceCreated, by: .config, target: .source(source)))
        let logs = LogCapture()
        let sweep = SourceSweepService(store: store, logger: logs.logger())

        await sweep.sweepOnce(now: 500)
        #expect(try await store.source(id: source.id)?.secrets.status == .configuring)
        #expect(!logs.text.contains("source secret status changed"))

        await sweep.sweepOnce(now: 2000)
        let stored = try #require(try await store.source(id: source.id))
        #expect(stored.secrets.status == .failed && stored.secrets.lagging == ["acme/api"])
        #expect(logs.text.contains("FAILED") && logs.text.contains("acme/api still signing"))
        await sweep.sweepOnce(now: 3000)
        #expect(logs.text.components(separatedBy: "source secret status changed").count == 2, "logged once")
        #expect(!logs.text.contains("whsec_"))
    }
}
