import Logging
import RelayCore
import RelayStore
import ServiceLifecycle

/// The delivery service: keeps one ``Lane`` per active webhook, wakes lanes when messages are
/// queued, and follows webhook changes (new, updated, paused, resumed, removed).
///
/// On graceful shutdown it stops claiming, lets attempts in flight finish and be recorded, and
/// returns. Leases left by a crash are released at the next start.
///
/// ```swift
/// let dispatcher = try Dispatcher(store: store, configuration: configuration.delivery, logger: logger)
/// let group = ServiceGroup(services: [dispatcher], logger: logger)
/// ```
public final class Dispatcher: Service {
    private let store: AuditStore
    private let transport: HTTPTransport
    private let settings: DeliverySettings
    private let logger: Logger

    public init(store: AuditStore, transport: HTTPTransport, settings: DeliverySettings, logger: Logger) {
        self.store = store
        self.transport = transport
        self.settings = settings
        self.logger = logger
    }

    /// A dispatcher with its own transport, made from the configuration's `delivery:` section.
    public convenience init(store: AuditStore, configuration: RelayConfiguration.Delivery, logger: Logger) throws {
        let transport = try HTTPTransport(
            configuration: .init(
                connectTimeout: configuration.connectTimeout, timeout: configuration.timeout,
                trustedCAFile: configuration.trustedCAFile))
        self.init(store: store, transport: transport, settings: DeliverySettings(configuration), logger: logger)
    }

    public func run() async throws {
        let released = try await store.releaseAllLeases(now: Clock.nowMillis())
        if released > 0 {
            logger.info("released leases left by an earlier run", metadata: ["relay.messages": "\(released)"])
        }
        await withDiscardingTaskGroup { group in
            var lanes: [String: Lane] = [:]
            await syncLanes(&lanes, group: &group)
            for await _ in store.changes.notifications.cancelOnGracefulShutdown() {
                let change = store.changes.take()
                if change.webhooksChanged { await syncLanes(&lanes, group: &group) }
                for id in change.queuedFor { lanes[id]?.wake() }
            }
            for lane in lanes.values { lane.stop() }
        }
        try await transport.shutdown()
    }

    /// Starts lanes for active webhooks without one, stops lanes of webhooks no longer active,
    /// and hands every running lane its webhook's current definition.
    private func syncLanes(_ lanes: inout [String: Lane], group: inout DiscardingTaskGroup) async {
        let webhooks: [Webhook]
        do {
            webhooks = try await store.webhooks()
        } catch {
            logger.error("reading webhooks failed", metadata: ["error": "\(error)"])
            return
        }
        let active = Dictionary(uniqueKeysWithValues: webhooks.filter { $0.state == .active }.map { ($0.id, $0) })
        for (id, lane) in lanes where active[id] == nil || lane.isStopped {
            lane.stop()
            lanes[id] = nil
        }
        for (id, webhook) in active {
            if let lane = lanes[id] {
                lane.update(webhook)
                continue
            }
            let lane = Lane(webhook: webhook, store: store, transport: transport, settings: settings, logger: logger)
            lanes[id] = lane
            group.addTask { await lane.run() }
        }
    }
}
