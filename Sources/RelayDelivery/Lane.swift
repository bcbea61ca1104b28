import Foundation
import Logging
import NIOCore
import RelayCore
import RelayStore
import Synchronization

/// Delivers one webhook's messages with bounded concurrency. Each webhook has its own lane, so
/// a slow or failing destination only ever holds up itself.
///
/// The lane claims due messages in batches, groups them into requests (one message each, or
/// the webhook's `batch`), sleeps until the next one is due or it is woken (new messages, a
/// retry scheduled, a stop), and records every attempt. It sends nothing while the destination
/// asked it to wait (`429` with `Retry-After`) and, for Slack, no faster than the URL's rate.
final class Lane: Sendable {
    /// Claimed messages ready to go as one request.
    struct Request: Sendable {
        var messages: [QueuedMessage]
        var pieces: [[UInt8]]
        /// The layout the pieces were rendered in, which joins them (the webhook may change
        /// before the request goes).
        var layout: MessageLayout
    }

    private typealias Machine = LaneMachine<Request, AttemptRecord>

    let webhookID: String
    private let webhook: Mutex<Webhook>
    private let stopped = Mutex(false)
    private let finished = Mutex(false)
    private let signal = WakeSignal()
    private let store: AuditStore
    private let sender: MessageSender
    private let slackRates: SlackRateLimits
    private let settings: DeliverySettings
    private let observer: (any AttemptObserver)?
    private let logger: Logger

    init(
        webhook: Webhook, store: AuditStore, sender: MessageSender, slackRates: SlackRateLimits,
        settings: DeliverySettings, observer: (any AttemptObserver)?, logger: Logger
    ) {
        self.observer = observer
        self.webhookID = webhook.id
        self.webhook = Mutex(webhook)
        self.store = store
        self.sender = sender
        self.slackRates = slackRates
        self.settings = settings
        var logger = logger
        logger[metadataKey: "relay.webhook"] = "\(webhook.name)"
        self.logger = logger
    }

    /// Whether the lane has been told to stop.
    var isStopped: Bool { stopped.withLock { $0 } }

    /// Whether ``run()`` has returned: every attempt it made is recorded or let go.
    var isFinished: Bool { finished.withLock { $0 } }

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

    /// Runs until stopped and every attempt in flight is recorded: performs what ``LaneMachine``
    /// decides, and feeds it what its actions report to the lane's ``LaneInbox``. Claims, writes
    /// and sleeps are child tasks; sends report from their callbacks on the lane's event loop
    /// (no task per request). Cancelling the lane cancels its sends.
    func run() async {
        defer {
            finished.withLock { $0 = true }
            // A lane that stopped itself leaves its webhook to a fresh look by the dispatcher.
            store.changes.webhooksChanged()
        }
        let loop = Connector.preferredLoop
        let sends = SendCancellation()
        let inbox = LaneInbox<Machine.Event>()
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                var machine = Machine()
                var next: [Machine.Action] = []
                while true {
                    for action in next + machine.actions(in: context()) {
                        switch action {
                        case .finish:
                            return
                        case .claim(let requests):
                            group.addTask {
                                let (claimed, blockedUntil) = await self.claim(requests: requests)
                                inbox.post(.claimed(claimed, blockedUntil: blockedUntil))
                            }
                        case .send(let request):
                            attempt(request, on: loop, cancellation: sends, then: inbox.post)
                        case .record(let records):
                            group.addTask { inbox.post(.recorded(keepsPending: await self.record(records))) }
                        case .sleep(let until):
                            group.addTask {
                                await self.signal.wait(until: .now + .milliseconds(until - WallClock.nowMillis()))
                                inbox.post(.woke)
                            }
                        case .sleepUntilDue(let blockedUntil):
                            group.addTask {
                                // At least a moment: a message the queue shows as due but no claim returns
                                // (an inactive webhook, a store error) must not turn this into a busy loop.
                                let due = await self.nextDeadline(blockedUntil: blockedUntil) ?? .now + .seconds(3600)
                                await self.signal.wait(until: max(due, .now + Self.minimumSleep))
                                inbox.post(.woke)
                            }
                        case .wake:
                            signal.signal()
                        case .release(let requests):
                            try? await store.release(requests.flatMap(\.messages), now: WallClock.nowMillis())
                        }
                    }
                    next = []
                    for event in await inbox.next() { next += machine.receive(event, in: context()) }
                }
            }
        } onCancel: {
            sends.cancel()
        }
    }

    /// What the machine decides with: the time, whether stopped, the concurrency (Slack gets
    /// one request at a time) and the pipeline's depth.
    private func context() -> Machine.Context {
        let (concurrency, depth) = webhook.withLock {
            ($0.concurrency(configured: settings.concurrencyPerWebhook), $0.pipelineDepth)
        }
        return Machine.Context(now: WallClock.nowMillis(), stopped: isStopped, concurrency: concurrency, depth: depth)
    }

    /// Most messages one claim takes (a round of big batches is claimed in parts).
    private static let claimLimit = 10_000

    /// The shortest sleep after a claim that found nothing to send.
    private static let minimumSleep = Duration.milliseconds(50)

    /// Claims messages for up to `requests` requests and groups them. When nothing may be sent
    /// yet (rate-limited, or a batch still filling), returns no requests and when to look again.
    private func claim(requests: Int) async -> ([Request], blockedUntil: Int64?) {
        let webhook = self.webhook.withLock { $0 }
        let batching = webhook.batching
        let now = WallClock.nowMillis()
        var allowed = requests
        if webhook.isRateLimitedByURL {
            allowed = slackRates.take(webhook.url, upTo: requests, now: now)
            if allowed == 0 { return ([], slackRates.nextSendAt(webhook.url, now: now)) }
        }
        let messages: [QueuedMessage]
        do {
            // A batch that is not full goes out once its oldest message has waited `maxWait`.
            let limit = min(allowed * batching.maxEvents, Self.claimLimit)
            let claim = try await store.claimDue(
                webhookID: webhookID, limit: limit, now: now, filling: batching.maxEvents > 1 ? batching : nil)
            // (Slack sends one message per request, so never waits for a batch to fill.)
            if let until = claim.fillingUntil { return ([], until) }
            messages = claim.messages
        } catch {
            logger.error("claiming messages failed", metadata: ["error": "\(error)"])
            if webhook.isRateLimitedByURL { slackRates.giveBack(webhook.url, count: allowed, now: now) }
            return ([], now + 1000)
        }
        let layout = MessageLayout(for: webhook)
        let pieces = messages.map { layout.piece($0.event) }
        let requests = batching.groups(of: pieces.map(\.count), layout: layout).map {
            Request(messages: Array(messages[$0]), pieces: Array(pieces[$0]), layout: layout)
        }
        if webhook.isRateLimitedByURL { slackRates.giveBack(webhook.url, count: allowed - requests.count, now: now) }
        return (requests, nil)
    }

    /// When to look again: at `blockedUntil` when sending is held back, else at the next due
    /// message, or in a second after a store error.
    private func nextDeadline(blockedUntil: Int64?) async -> ContinuousClock.Instant? {
        let due: Int64?
        if let blockedUntil {
            due = blockedUntil
        } else {
            do {
                due = try await store.nextDueTime(webhookID: webhookID)
            } catch {
                logger.error("reading the next due time failed", metadata: ["error": "\(error)"])
                return .now + .seconds(1)
            }
        }
        return due.map { .now + .milliseconds(max(0, $0 - WallClock.nowMillis())) }
    }

    /// Sends one request and reports an attempt for each of its messages to `report` (on the
    /// lane's event loop once the request got that far); a `paused` or `disabled` outcome stops
    /// the lane at once.
    private func attempt(
        _ request: Request, on loop: (any EventLoop)?, cancellation: SendCancellation,
        then report: @escaping @Sendable (Machine.Event) -> Void
    ) {
        let webhook = self.webhook.withLock { $0 }
        let startedAt = WallClock.nowMillis()
        let started = ContinuousClock.now
        let envelopes = request.messages.map {
            MessageEnvelope(messageID: $0.id, sequence: $0.sequence, attempt: $0.attempt, event: $0.event)
        }
        sender.start(
            envelopes, pieces: request.pieces, to: webhook, layout: request.layout, timestamp: startedAt / 1000,
            on: loop, cancellation: cancellation
        ) { delivery in
            let event = self.decide(request, delivery, webhook: webhook, startedAt: startedAt, started: started)
            // Messages shutdown cut off go back to the queue; those already answered are recorded.
            let cutOff = delivery.cutOff.flatMap { request.messages[$0] }
            guard !cutOff.isEmpty else { return report(event) }
            Task {
                try? await self.store.release(cutOff, now: WallClock.nowMillis())
                report(event)
            }
        }
    }

    /// The attempts of a sent request's answered messages, decided.
    private func decide(
        _ request: Request, _ delivery: MessageSender.Delivery, webhook: Webhook, startedAt: Int64,
        started: ContinuousClock.Instant
    ) -> Machine.Event {
        let answers = delivery.answers
        guard !answers.isEmpty else { return .released }
        let elapsed = ContinuousClock.now - started
        let now = WallClock.nowMillis()
        let holdUntil = hold(after: answers.map(\.response), webhook: webhook, now: now)
        var random = SystemRandomNumberGenerator()
        let records = answers.map { answer in
            let outcomes = zip(request.messages[answer.range], answer.verdicts).map { message, verdict in
                let decision = DeliveryPolicy.decide(
                    verdict, attempt: message.attempt, createdAt: message.createdAt, now: now,
                    schedule: settings.schedule, random: &random)
                return MessageOutcome(
                    message: message, decision: decision, error: answer.response.failureMessage ?? decision.reason)
            }
            return AttemptRecord(
                webhookName: webhook.name, startedAt: startedAt, durationMillis: elapsed.milliseconds,
                httpStatus: answer.response.httpStatus, responseBody: answer.response.body, messages: outcomes)
        }
        observer?.requestFinished(webhookName: webhook.name, duration: elapsed)
        let decisions = records.lazy.flatMap { record in record.messages.lazy.map(\.decision) }
        if let stop = decisions.first(where: \.outcome.stopsWebhook) {
            logger.warning("webhook \(stop.outcome.rawValue)", metadata: ["relay.reason": "\(stop.reason ?? "")"])
            self.stop()
        }
        logger.debug(
            "attempt finished",
            metadata: [
                "relay.messages": "\(decisions.count)", "relay.requests": "\(records.count)",
                "relay.attempt": "\(request.messages.first?.attempt ?? 0)",
                "relay.outcome": "\(decisions.first?.outcome.rawValue ?? "")",
                "http.status": "\(records.first?.httpStatus ?? 0)",
            ])
        return .sent(records, holdUntil: holdUntil)
    }

    /// Writes the attempts of answered requests. Returns whether a message is still pending (a
    /// retry is due later, or the webhook stopped).
    ///
    /// A write that fails (a full disk) is tried again a few times; if it still fails, the
    /// messages are let go unrecorded, so they are sent again rather than held until a restart.
    private func record(_ records: [AttemptRecord]) async -> Bool {
        for delay in [0, 500, 1000, 2000, 4000] {
            if delay > 0 { try? await Task.sleep(for: .milliseconds(delay)) }
            do {
                try await store.record(records)
                countRecorded(records)
                return records.contains(where: \.keepsAMessagePending)
            } catch {
                logger.error(
                    "recording attempts failed",
                    metadata: [
                        "error": "\(error)", "relay.message": "\(records.first?.messages.first?.message.id ?? "")",
                    ])
            }
        }
        store.forget(records.flatMap { $0.messages.map(\.message) })
        return true
    }

    /// Tells the observer the outcomes just written, per webhook: one count per webhook name in
    /// the write, not one per request.
    private func countRecorded(_ records: [AttemptRecord]) {
        guard let observer else { return }
        var tallies: [String: [AttemptOutcome: Int]] = [:]
        for record in records {
            tallies[record.webhookName, default: [:]].merge(
                record.messages.lazy.map { ($0.decision.outcome, 1) }, uniquingKeysWith: +)
        }
        for (webhookName, outcomes) in tallies {
            observer.attemptsRecorded(webhookName: webhookName, outcomes: outcomes)
        }
    }

    /// Until when the destination asked to wait (a `429` with `Retry-After`), if it did: the
    /// machine holds this lane until then, and a Slack URL's bucket holds every lane sending to
    /// it. The message itself is rescheduled by the policy.
    private func hold(after responses: [AttemptResponse], webhook: Webhook, now: Int64) -> Int64? {
        guard
            let until = DeliveryPolicy.holdUntil(
                after: responses, now: now, maxRetryAfterMillis: settings.schedule.maxRetryAfterMillis)
        else { return nil }
        if webhook.isRateLimitedByURL { slackRates.hold(webhook.url, until: until, now: now) }
        logger.info("destination asked to slow down", metadata: ["relay.heldForMs": "\(until - now)"])
        return until
    }
}
