import Foundation
import Logging
import RelayCore
import RelayStore
import Synchronization

/// Delivers one webhook's messages with bounded concurrency. Each webhook has its own lane, so
/// a slow or failing destination only ever holds up itself.
///
/// The lane claims due messages in batches, sleeps until the next one is due or it is woken
/// (new messages, a retry scheduled, a stop), and records every attempt.
final class Lane: Sendable {
    private enum Event {
        case attemptFinished(keepsPending: Bool)
        case woke
    }

    let webhookID: String
    private let webhook: Mutex<Webhook>
    private let stopped = Mutex(false)
    private let signal = WakeSignal()
    private let store: AuditStore
    private let transports: Transports
    private let settings: DeliverySettings
    private let observer: (any AttemptObserver)?
    private let logger: Logger

    init(
        webhook: Webhook, store: AuditStore, transports: Transports, settings: DeliverySettings,
        observer: (any AttemptObserver)?, logger: Logger
    ) {
        self.observer = observer
        self.webhookID = webhook.id
        self.webhook = Mutex(webhook)
        self.store = store
        self.transports = transports
        self.settings = settings
        var logger = logger
        logger[metadataKey: "relay.webhook"] = "\(webhook.name)"
        self.logger = logger
    }

    /// Whether the lane has been told to stop.
    var isStopped: Bool { stopped.withLock { $0 } }

    /// Uses `webhook`'s current definition from the next attempt on.
    func update(_ webhook: Webhook) {
        self.webhook.withLock { $0 = webhook }
    }

    /// Looks for due messages now.
    func wake() {
        signal.signal()
    }

    /// Stops claiming; attempts in flight finish and are recorded.
    func stop() {
        stopped.withLock { $0 = true }
        signal.signal()
    }

    /// Runs until stopped and every attempt in flight is recorded.
    func run() async {
        let concurrency = settings.concurrencyPerWebhook
        await withTaskGroup(of: Event.self) { group in
            var inFlight = 0
            var sleeping = false
            while true {
                if isStopped {
                    if !sleeping && inFlight == 0 { break }
                } else if inFlight < concurrency {
                    let requested = concurrency - inFlight
                    let claimed = await claim(requested)
                    for message in claimed {
                        group.addTask { .attemptFinished(keepsPending: await self.attempt(message)) }
                    }
                    inFlight += claimed.count
                    if claimed.count < requested, !sleeping {
                        let deadline = await nextDeadline()
                        sleeping = true
                        group.addTask {
                            await self.signal.wait(until: deadline)
                            return .woke
                        }
                    }
                }
                guard let event = await group.next() else { break }
                switch event {
                case .woke:
                    sleeping = false
                case .attemptFinished(let keepsPending):
                    inFlight -= 1
                    if keepsPending { signal.signal() }
                }
            }
        }
    }

    private func claim(_ limit: Int) async -> [QueuedMessage] {
        let now = Clock.nowMillis()
        do {
            return try await store.claimDue(
                webhookID: webhookID, limit: limit, now: now,
                leaseUntil: now + settings.timeout.milliseconds + settings.leaseMargin.milliseconds)
        } catch {
            logger.error("claiming messages failed", metadata: ["error": "\(error)"])
            return []
        }
    }

    /// When to look again: at the next due message, or in a second after a store error.
    private func nextDeadline() async -> ContinuousClock.Instant? {
        do {
            guard let due = try await store.nextDueTime(webhookID: webhookID) else { return nil }
            return .now + .milliseconds(max(0, due - Clock.nowMillis()))
        } catch {
            logger.error("reading the next due time failed", metadata: ["error": "\(error)"])
            return .now + .seconds(1)
        }
    }

    /// Makes one attempt and records it. Returns whether the message is still pending.
    private func attempt(_ message: QueuedMessage) async -> Bool {
        let webhook = self.webhook.withLock { $0 }
        let startedAt = Clock.nowMillis()
        let started = ContinuousClock.now
        let response: AttemptResponse
        if let reason = DestinationURL.problem(webhook.url) {
            let failure = TransportFailure(.refusedDestination, "the destination URL is refused: \(reason)")
            response = .transportFailure(failure)
        } else {
            let envelope = MessageEnvelope(
                messageID: message.id, sequence: message.sequence, attempt: message.attempt, event: message.event)
            let request = OutboundRequest.make(envelope, to: webhook, timestamp: startedAt / 1000)
            let reply = await transports.for(webhook).send(request)
            if reply.cancelled {
                try? await store.release([message], now: Clock.nowMillis())
                return true
            }
            response = reply.response
        }
        let elapsed = ContinuousClock.now - started
        var random = SystemRandomNumberGenerator()
        let decision = DeliveryPolicy.decide(
            response, attempt: message.attempt, createdAt: message.createdAt, now: Clock.nowMillis(),
            schedule: settings.schedule, random: &random)
        let record = AttemptRecord(
            message: message, webhookName: webhook.name, startedAt: startedAt,
            durationMillis: elapsed.milliseconds,
            httpStatus: response.httpStatus, error: response.failureMessage ?? decision.reason,
            decision: decision, responseBody: response.body)
        do {
            try await store.record([record])
        } catch {
            logger.error(
                "recording an attempt failed", metadata: ["error": "\(error)", "relay.message": "\(message.id)"])
        }
        observer?.attemptFinished(webhookName: webhook.name, outcome: decision.outcome, duration: elapsed)
        if decision.outcome == .paused || decision.outcome == .disabled {
            logger.warning(
                "webhook \(decision.outcome.rawValue)", metadata: ["relay.reason": "\(decision.reason ?? "")"])
            stop()
        }
        logger.debug(
            "attempt finished",
            metadata: [
                "relay.message": "\(message.id)", "relay.attempt": "\(message.attempt)",
                "relay.outcome": "\(decision.outcome.rawValue)", "http.status": "\(response.httpStatus ?? 0)",
            ])
        return decision.keepsMessagePending
    }
}
