import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import RelayCore
import RelayServer
import RelayStore
import RelayTestSupport
import Testing

/// The application's routes through Hummingbird's router test client (no sockets).
@Suite struct IngestRouteTests {
    private func configuration() throws -> RelayConfiguration {
        var configuration = RelayConfiguration()
        let directory = try TestFixtures.temporaryDirectory()
        configuration.store.path = directory.appendingPathComponent("relay.sqlite").path
        configuration.auth.ingestTokens = ["ingest-token"]
        configuration.auth.adminTokens = ["admin-token"]
        return configuration
    }

    private func app(_ configuration: RelayConfiguration) async throws -> some ApplicationProtocol {
        var logger = Logger(label: "test")
        logger.logLevel = .error
        return try await buildApplication(configuration: configuration, logger: logger)
    }

    @Test func healthNeedsNoToken() async throws {
        try await app(try configuration()).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("ok"))
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func acceptedAnswerListsIdsInRequestOrder() async throws {
        let body = ByteBuffer(string: #"[{"type":"a.b","id":"one"},{"type":"a.c"},{"type":"a.b","id":"one"}]"#)
        try await app(try configuration()).test(.router) { client in
            try await client.execute(
                uri: "/v1/events", method: .post,
                headers: [.authorization: "Bearer ingest-token", .contentType: "application/json"], body: body
            ) { response in
                #expect(response.status == .accepted)
                let accepted = try JSONDecoder().decode(
                    IngestAccepted.self, from: Data(response.body.readableBytesView))
                #expect(accepted.accepted == 2)
                #expect(accepted.duplicates == 1)
                let ids = accepted.ids
                #expect(ids.count == 3)
                #expect(ids[0] == "one" && ids[2] == "one")
                #expect(ids[1].hasPrefix("evt_"))
            }
        }
    }

    @Test func anAdminTokenDoesNotOpenIngest() async throws {
        try await app(try configuration()).test(.router) { client in
            try await client.execute(
                uri: "/v1/events", method: .post,
                headers: [.authorization: "Bearer admin-token", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"type":"a"}"#)
            ) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(!String(buffer: response.body).contains("token"))
            }
        }
    }

    @Test func firstStartGeneratesTokensAndStoresOnlyTheirHashes() async throws {
        var configuration = try configuration()
        configuration.auth = .init()
        let announced = Announcements()
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let app = try await buildApplication(
            configuration: configuration,
            options: ApplicationOptions(announceGeneratedToken: { role, token in announced.add(role, token) }),
            logger: logger)
        let tokens = announced.all
        #expect(tokens.map(\.0).sorted { $0.rawValue < $1.rawValue } == [.admin, .ingest])
        let ingestToken = try #require(tokens.first { $0.0 == .ingest }?.1)
        #expect(ingestToken.hasPrefix("ar_ingest_"))
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/v1/events", method: .post,
                headers: [.authorization: "Bearer \(ingestToken)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"type":"a"}"#)
            ) { response in
                #expect(response.status == .accepted)
            }
        }
        let file = try Data(contentsOf: URL(fileURLWithPath: configuration.store.path))
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: configuration.store.path + "-wal"))) ?? Data()
        for (_, token) in tokens {
            #expect(file.range(of: Data(token.utf8)) == nil)
            #expect(wal.range(of: Data(token.utf8)) == nil)
        }
        _ = try await buildApplication(
            configuration: configuration,
            options: ApplicationOptions(announceGeneratedToken: { role, token in announced.add(role, token) }),
            logger: logger)
        #expect(announced.all.count == 2, "a second start generates nothing new")
    }
}

private final class Announcements: @unchecked Sendable {
    private let lock = NSLock()
    private var tokens: [(TokenRole, String)] = []

    func add(_ role: TokenRole, _ token: String) {
        lock.withLock { tokens.append((role, token)) }
    }

    var all: [(TokenRole, String)] { lock.withLock { tokens } }
}
