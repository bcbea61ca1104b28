import Logging
import RelayCore
import RelayStore
import ServiceLifecycle
import Synchronization

/// The delivery service: keeps one ``Lane`` per active webhook, wakes lanes when messages are
/// queued, and follows webhook changes (new, updated, paused, resumed, removed).
///
/// On graceful shutdown it stops claiming, lets attempts in flight finish and be recorded, and
/// returns. Claims are held in memory, so after a crash every pending message is due at the next
/// start.
///
/// ```swift
/// let dispatcher = try Dispatcher(store: store, configuration: configuration.delivery, logger: logger)
/// let result = await dispatcher.test(webhook)   // POST /v1/webhooks/{id}/test
/// let group = ServiceGroup(services: [dispatcher], logger: logger)
/// ```
public final class Dispatcher: Service {
    private let store: AuditStore
    private let transport: HTTPTransport
    /// Shared by the lanes and the test route: one connection pool, one token cache.
    private let sender: MessageSender
    private let settings: DeliverySettings
    private let observer: (any AttemptObserver)?
    private let logger: Logger
    private let running = Mutex(false)

    /// A dispatcher for the configuration's `delivery:` section; throws when the trusted roots
    /// cannot be read. Its HTTP client's connections are closed when ``run()`` returns.
    public init(
        store: AuditStore, configuration: RelayConfiguration.Delivery, observer: (any AttemptObserver)? = nil,
        logger: Logger
    ) throws {
        self.observer = observer
        self.store = store
        self.settings = DeliverySettings(configuration)
        self.transport = try HTTPTransport(configuration: HTTPTransport.Configuration(configuration))
        self.sender = MessageSender(
            transport: transport, tokens: OAuthTokens(), maxRetryAfterMillis: settings.schedule.maxRetryAfterMillis)
        self.logger = logger
    }

    /// Sends a synthetic `auditrelay.test` event to `webhook` now, outside the queue, through the
    /// lanes' client (see ``WebhookTester``).
    public func test(_ webhook: Webhook) async -> WebhookTestResult {
        await WebhookTester.send(to: webhook, sender: sender, schedule: settings.schedule)
    }

    /// Sends one request that is not a delivery (Slack's OAuth exchange) through the delivery
    /// transport: its trust roots, time-outs and egress rules, no redirects followed; the first
    /// `bodyLimit` bytes of the answer are read.
    public func send(_ request: OutboundRequest, bodyLimit: Int) async -> AttemptResponse {
        await transport.send(request, bodyLimit: bodyLimit).response
    }

    /// Whether ``run()`` is delivering (for readiness).
    public var isRunning: Bool { running.withLock { $0 } }

    public func run() async throws {
        running.withLock { $0 = true }
        defer { running.withLock { $0 = false } }
        await deliver()
        try await transport.shutdown()
    }

    private func deliver() async {
        let slackRates = SlackRateLimits(ratePerSecond: settings.slackRate, burst: settings.slackBurst)
        await withDiscardingTaskGroup { group in
            var lanes: [String: Lane] = [:]
            await syncLanes(&lanes, sender: sender, slackRates: slackRates, group: &group)
            for await _ in store.changes.notifications.cancelOnGracefulShutdown() {
                let change = store.changes.take()
                if change.webhooksChanged {
                    await syncLanes(&lanes, sender: sender, slackRates: slackRates, group: &group)
                }
                for id in change.queuedFor { lanes[id]?.wake() }
            }
            for lane in lanes.values { lane.stop() }
        }
    }

    /// Starts lanes for active webhooks without one, stops lanes of webhooks no longer active,
    /// and hands every running lane its webhook's current definition.
    private func syncLanes(
        _ lanes: inout [String: Lane], sender: MessageSender, slackRates: SlackRateLimits,
        group: inout DiscardingTaskGroup
    ) async {
        let webhooks: [Webhook]
        do {
            webhooks = try await store.webhooks()
        } catch {
            logger.error("reading webhooks failed", metadata: ["error": "\(error)"])
            return
        }
        let active = Dictionary(uniqueKeysWithValues: webhooks.filter { $0.state == .active }.map { ($0.id, $0) })
        // A lane that stopped itself (a pause or a 410) is replaced only once it has finished:
        // until its attempts are recorded, the webhook can still read as active.
        for (id, lane) in lanes where active[id] == nil || lane.isFinished {
            lane.stop()
            lanes[id] = nil
        }
        for (id, webhook) in active {
            if let lane = lanes[id] {
                lane.update(webhook)
                lane.wake()
                continue
            }
            let lane = Lane(
                webhook: webhook, store: store, sender: sender, slackRates: slackRates, settings: settings,
                observer: observer, logger: logger)
            lanes[id] = lane
            group.addTask { [transport] in await transport.onOwnEventLoop { await lane.run() } }
        }
    }
}
