import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import RelayCore
import RelayServer
import RelayStore
import RelayTestSupport
import ServiceLifecycle
import Testing

/// The ingest token every test relay accepts.
let testIngestToken = "test-ingest-token"

/// A relay configuration for tests: a store in `directory`, an ephemeral port, the test CA
/// trusted, private networks allowed (receivers are on localhost), a fast retry schedule, and a
/// connect limit (30 s) no loaded machine reaches with a receiver on localhost.
func testConfiguration(directory: URL, webhooks: [WebhookSpec]) -> RelayConfiguration {
    var configuration = RelayConfiguration()
    configuration.server.listen = "127.0.0.1:0"
    configuration.store.path = directory.appendingPathComponent("relay.sqlite").path
    configuration.auth.ingestTokens = [testIngestToken]
    configuration.auth.adminTokens = ["test-admin-token"]
    configuration.delivery.trustedCAFile = TestFixtures.caFile
    configuration.delivery.allowPrivateNetworks = true
    configuration.delivery.connectTimeout = RelayDuration(milliseconds: 30_000)
    configuration.delivery.timeout = RelayDuration(milliseconds: 4000)
    configuration.delivery.retrySchedule = [RelayDuration(milliseconds: 200), RelayDuration(milliseconds: 200)]
    configuration.webhooks = webhooks
    return configuration
}

/// A webhook spec pointing at a test receiver.
func hook(_ name: String, url: String, events: [String] = ["*"]) throws -> WebhookSpec {
    WebhookSpec(name: name, url: url, events: try events.map { try EventTypePattern(parsing: $0) })
}

/// An HTTP answer as a test sees it.
struct HTTPReply {
    var status: Int
    var headers: [String: String]
    var body: String

    /// The body as the API type `T`; fails the test, naming the body, when it is not one.
    func decoded<T: Decodable>(_ type: T.Type, sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(body.utf8))
        } catch {
            Issue.record("not a \(type): \(error)\n\(body)", sourceLocation: sourceLocation)
            throw error
        }
    }

    /// The body as a JSON value, for checks of the exact members on the wire.
    var jsonValue: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)) }

    /// The members of a JSON object body (empty when it is not one).
    var members: [String: JSONValue] {
        if case .object(let members)? = jsonValue { return members }
        return [:]
    }
}

/// A relay running in this process on 127.0.0.1.
struct RunningRelay: Sendable {
    let port: Int
    let configuration: RelayConfiguration
}

/// Opens the store of `configuration` (with the key file the relay made beside it).
func openTestStore(_ configuration: RelayConfiguration) throws -> AuditStore {
    let path = configuration.store.path
    let keyFile = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("auditrelay.key").path
    return try AuditStore(path: path, sealer: try SecretSealer.load(environmentKey: nil, keyFile: keyFile))
}

/// Runs a test receiver and a test relay whose webhooks point at it, for the duration of `body`:
/// the opening most delivery tests share.
///
/// ```swift
/// try await withReceivingRelay(webhooks: { [try hook("siem", url: $0.url())] }) { relay, receiver in … }
/// ```
func withReceivingRelay<T: Sendable>(
    respond: @escaping @Sendable (ReceivedRequest) async -> ReceiverReply = { _ in ReceiverReply() },
    clientCA: String? = nil, webhooks: (TestReceiver) throws -> [WebhookSpec],
    configure: (inout RelayConfiguration) -> Void = { _ in }, logs: LogCapture? = nil,
    _ body: (RunningRelay, TestReceiver) async throws -> T
) async throws -> T {
    try await TestReceiver.with(clientCA: clientCA, respond: respond) { receiver in
        var configuration = testConfiguration(
            directory: try TestFixtures.temporaryDirectory(), webhooks: try webhooks(receiver))
        configure(&configuration)
        return try await withRelay(configuration, logs: logs) { relay in try await body(relay, receiver) }
    }
}

/// Runs the real application for the duration of `body`, then shuts it down gracefully.
func withRelay<T: Sendable>(
    _ configuration: RelayConfiguration, maximumStoreBytes: Int? = nil, logs: LogCapture? = nil,
    _ body: (RunningRelay) async throws -> T
) async throws -> T {
    var logger = logs?.logger() ?? Logger(label: "test-relay")
    if logs == nil { logger.logLevel = .error }
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let app = try await buildApplication(
        configuration: configuration,
        options: ApplicationOptions(
            onServerRunning: { portContinuation.yield($0) }, announceGeneratedToken: { _, _ in },
            maximumStoreBytes: maximumStoreBytes),
        logger: logger)
    let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await body(RunningRelay(port: port, configuration: configuration)))
        } catch {
            outcome = .failure(error)
        }
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
        return try outcome.get()
    }
}

extension AuditStore {
    /// Pending messages over every webhook, read from the store.
    func pendingDepth() async throws -> Int {
        try await queueStatistics().map(\.depth).reduce(0, +)
    }
}
