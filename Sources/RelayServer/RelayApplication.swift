import Foundation
import Hummingbird
import Logging
import NIOCore
import RelayCore
import RelayDelivery
import RelayStore
import ServiceLifecycle

/// What the process around the application supplies beyond the configuration file.
public struct ApplicationOptions: Sendable {
    /// `AUDITRELAY_SECRET_KEY`, when set.
    public var secretKey: String?
    /// Called once the HTTP server listens, with the bound port.
    public var onServerRunning: @Sendable (Int) async -> Void
    /// Receives the tokens generated on first start, to show them once. By default each is written
    /// to stdout at once, unbuffered: under systemd or `docker logs`, or after a `kill -9`, a line
    /// left in stdio's buffer would never be seen, and only the token's hash is stored.
    public var announceGeneratedToken: @Sendable (TokenRole, String) -> Void
    /// Caps the store's size, as a full disk would (tests).
    public var maximumStoreBytes: Int?
    /// Routes of other modules: the settings page.
    public var modules: [any RouteModule]

    public init(
        secretKey: String? = nil, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        announceGeneratedToken: @escaping @Sendable (TokenRole, String) -> Void = { role, token in
            let line = "Generated \(role.rawValue) token (shown once, only its hash is stored): \(token)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        },
        maximumStoreBytes: Int? = nil, modules: [any RouteModule] = []
    ) {
        self.modules = modules
        self.secretKey = secretKey
        self.onServerRunning = onServerRunning
        self.announceGeneratedToken = announceGeneratedToken
        self.maximumStoreBytes = maximumStoreBytes
    }
}

/// A configuration the relay cannot start with.
public struct StartupError: Error, CustomStringConvertible {
    public let description: String
}

/// Builds the whole relay: store, declared webhooks, tokens, dispatcher and HTTP routes.
///
/// ```swift
/// let app = try await buildApplication(configuration: configuration, logger: logger)
/// try await app.runService()
/// ```
public func buildApplication(
    configuration: RelayConfiguration, options: ApplicationOptions = ApplicationOptions(), logger: Logger
) async throws -> some ApplicationProtocol {
    let (host, port) = try listenAddress(configuration.server.listen)
    let server = try ServerTLS.builder(for: configuration.server)
    let relay = try await RelayComponents(configuration: configuration, options: options, logger: logger)
    let onServerRunning = options.onServerRunning
    return Application(
        router: relay.router,
        server: server,
        configuration: .init(address: .hostname(host, port: port), serverName: "AuditRelay/\(RelayVersion.current)"),
        services: [relay.dispatcher, relay.retention, relay.sourceSweep],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
        logger: logger)
}

/// The relay's parts before they run: its store (opened, declared webhooks applied, tokens
/// ready), the dispatcher service and the router with every route.
public struct RelayComponents {
    public let store: AuditStore
    public let dispatcher: Dispatcher
    /// Prunes what is older than `retention`.
    public let retention: RetentionService
    /// Brings sources' secret status up to date without traffic.
    public let sourceSweep: SourceSweepService
    public let router: Router<RelayRequestContext>

    public init(configuration: RelayConfiguration, options: ApplicationOptions, logger: Logger) async throws {
        _ = try listenAddress(configuration.server.listen)
        for (index, spec) in configuration.webhooks.enumerated() {
            let problems = spec.problems()
            guard problems.isEmpty else {
                let reasons = problems.map { "\($0.field) \($0.reason)" }.joined(separator: "; ")
                throw StartupError(description: "webhooks[\(index)] (\(spec.name)): \(reasons)")
            }
        }
        let directory = (configuration.store.path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(
            atPath: directory.isEmpty ? "." : directory, withIntermediateDirectories: true)
        let sealer = try SecretSealer.load(
            environmentKey: options.secretKey, keyFile: (directory as NSString).appendingPathComponent("auditrelay.key")
        )
        store = try AuditStore(
            path: configuration.store.path, sealer: sealer, maximumSizeBytes: options.maximumStoreBytes)
        let declared = try await store.applyDeclared(configuration.webhooks, now: WallClock.nowMillis())
        if declared != DeclaredWebhookChanges() {
            logger.info(
                "declared webhooks applied",
                metadata: [
                    "relay.created": "\(declared.created)", "relay.updated": "\(declared.updated)",
                    "relay.disabled": "\(declared.disabled)",
                ])
        }
        let ingestTokens = try await accessTokens(
            configured: configuration.auth.ingestTokens, role: .ingest, store: store, options: options)
        let adminTokens = try await accessTokens(
            configured: configuration.auth.adminTokens, role: .admin, store: store, options: options)
        let metrics = RelayMetrics()
        dispatcher = try Dispatcher(
            store: store, configuration: configuration.delivery, observer: metrics, logger: logger)
        retention = RetentionService(store: store, retention: configuration.retention, logger: logger)
        sourceSweep = SourceSweepService(store: store, logger: logger)

        router = Router(context: RelayRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        HealthRoutes(store: store, dispatcher: dispatcher, metrics: metrics).register(on: router)
        OpenAPIRoute().register(on: router)
        IngestRoutes(store: store, tokens: ingestTokens, settings: configuration.ingest, metrics: metrics)
            .register(on: router)
        InboundRoutes(
            store: store, settings: configuration.inbound, maxQueuedEvents: configuration.ingest.maxQueuedEvents,
            metrics: metrics, logger: logger
        ).register(on: router)
        let admin = AdminContext(
            store: store, tokens: adminTokens, configuration: configuration, dispatcher: dispatcher, logger: logger)
        WebhookRoutes(admin: admin).register(on: router)
        WebhookActionRoutes(admin: admin).register(on: router)
        CatalogRoutes(admin: admin).register(on: router)
        DeliveryRoutes(admin: admin).register(on: router)
        SourceRoutes(admin: admin).register(on: router)
        for module in options.modules { module.register(on: router, admin: AdminOperations(admin: admin)) }
    }
}

/// The tokens of a role: the configured ones, or else those generated on first start.
private func accessTokens(configured: [String], role: TokenRole, store: AuditStore, options: ApplicationOptions)
    async throws -> AccessTokens
{
    guard configured.isEmpty else { return AccessTokens(tokens: configured, hexHashes: []) }
    var hashes = try await store.tokenHashes(role: role)
    if hashes.isEmpty {
        let token = "ar_\(role.rawValue)_" + randomToken()
        let hash = AccessTokens.hexHash(token)
        try await store.addTokenHash(hash, role: role, now: WallClock.nowMillis())
        options.announceGeneratedToken(role, token)
        hashes = [hash]
    }
    return AccessTokens(tokens: [], hexHashes: hashes)
}

private func randomToken() -> String {
    var generator = SystemRandomNumberGenerator()
    let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
}

/// Splits `host:port` (IPv6 hosts in brackets).
func listenAddress(_ listen: String) throws -> (String, Int) {
    guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
        (0...65535).contains(port)
    else { throw StartupError(description: "server.listen must be host:port, got '\(listen)'") }
    var host = String(listen[..<colon])
    if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    return (host.isEmpty ? "0.0.0.0" : host, port)
}
