import Foundation
import Logging
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
    private enum Event {
        /// A request got its answer (or failed): one attempt, or several when the destination had
        /// it split; decided, not yet recorded.
        case sent([AttemptRecord])
        /// Shutdown cut a request off before any answer; its messages went back to the queue.
        case released
        /// A write of attempts (of one request or several) is done; `keepsPending` when a message
        /// waits for a retry.
        case recorded(keepsPending: Bool)
        case woke
        case claimed([Request], blockedUntil: Int64?)
    }

    /// Claimed messages ready to go as one request.
    private struct Request: Sendable {
        var messages: [QueuedMessage]
        var pieces: [[UInt8]]
        /// The layout the pieces were rendered in, which joins them (the webhook may change
        /// before the request goes).
        var layout: MessageBody
    }

    let webhookID: String
    private let webhook: Mutex<Webhook>
    private let stopped = Mutex(false)
    private let finished = Mutex(false)
    /// Unix milliseconds before which nothing is sent (the destination's `Retry-After` on a `429`).
    private let heldUntil = Mutex<Int64>(0)
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

    /// Runs until stopped and every attempt in flight is recorded.
    func run() async {
        defer {
            finished.withLock { $0 = true }
            // A lane that stopped itself leaves its webhook to a fresh look by the dispatcher.
            store.changes.webhooksChanged()
        }
        await withTaskGroup(of: Event.self) { group in
            var inFlight = 0
            /// Whether a write of attempts is running. One runs at a time and takes every attempt
            /// answered meanwhile (`unrecorded`), so a busy lane writes many requests per write; the
            /// next request does not wait for it, but at most `concurrency` answers wait unwritten.
            var recording = false
            var unrecorded: [AttemptRecord] = []
            func startRecording() {
                guard !recording, !unrecorded.isEmpty else { return }
                recording = true
                let records = unrecorded
                unrecorded = []
                group.addTask { .recorded(keepsPending: await self.record(records)) }
            }
            var sleeping = false
            var claiming = false
            var ready: [Request] = []
            while true {
                // Slack gets one message at a time: in channel order, and a 429 is seen before the
                // next message goes.
                let concurrency = webhook.withLock { $0.kind == .slack } ? 1 : settings.concurrencyPerWebhook
                if isStopped {
                    if !ready.isEmpty {
                        try? await store.release(ready.flatMap(\.messages), now: Clock.nowMillis())
                        ready = []
                    }
                    if !sleeping && !claiming && inFlight == 0 && !recording && unrecorded.isEmpty { break }
                } else {
                    let held = heldUntil.withLock { $0 }
                    let now = Clock.nowMillis()
                    while inFlight < concurrency, unrecorded.count < concurrency, !ready.isEmpty, held <= now {
                        let request = ready.removeFirst()
                        group.addTask { await self.attempt(request) }
                        inFlight += 1
                    }
                    if !ready.isEmpty, held > now, !sleeping {
                        sleeping = true
                        group.addTask {
                            await self.signal.wait(until: .now + .milliseconds(held - now))
                            return .woke
                        }
                    }
                    // Claims run beside the sends and keep up to a round ready, so a busy lane
                    // never waits for the store between requests.
                    if !claiming, !sleeping, ready.count < concurrency {
                        claiming = true
                        group.addTask {
                            let (requests, blockedUntil) = await self.claim(requests: concurrency)
                            return .claimed(requests, blockedUntil: blockedUntil)
                        }
                    }
                }
                if !isStopped, inFlight == 0, !recording, !claiming, !sleeping {
                    // Nothing running would wake the loop again: look again in a while.
                    sleeping = true
                    group.addTask {
                        await self.signal.wait(until: .now + .seconds(1))
                        return .woke
                    }
                }
                guard let event = await group.next() else { break }
                switch event {
                case .woke:
                    sleeping = false
                case .sent(let records):
                    inFlight -= 1
                    unrecorded += records
                    startRecording()
                case .released:
                    inFlight -= 1
                    signal.signal()
                case .recorded(let keepsPending):
                    recording = false
                    if keepsPending { signal.signal() }
                    startRecording()
                case .claimed(let requests, let blockedUntil):
                    claiming = false
                    ready += requests
                    let held = heldUntil.withLock { $0 }
                    let blocked = held > Clock.nowMillis() ? max(held, blockedUntil ?? 0) : blockedUntil
                    if requests.isEmpty || blocked != nil, !sleeping, !isStopped {
                        // At least a moment: a message the queue shows as due but no claim returns
                        // (an inactive webhook, a store error) must not turn this into a busy loop.
                        let deadline = max(
                            await nextDeadline(blockedUntil: blocked) ?? .now + .seconds(3600),
                            .now + Self.minimumSleep)
                        sleeping = true
                        group.addTask {
                            await self.signal.wait(until: deadline)
                            return .woke
                        }
                    }
                }
            }
        }
    }

    /// Most messages one claim takes (a round of big batches is claimed in parts).
    private static let claimLimit = 10_000

    /// The shortest sleep after a claim that found nothing to send.
    private static let minimumSleep = Duration.milliseconds(50)

    /// Claims messages for up to `requests` requests and groups them. When nothing may be sent
    /// yet (held, rate-limited, or a batch still filling), returns no requests and when to look again.
    private func claim(requests: Int) async -> ([Request], blockedUntil: Int64?) {
        let webhook = self.webhook.withLock { $0 }
        let batching = webhook.batching
        let now = Clock.nowMillis()
        let held = heldUntil.withLock { $0 }
        if held > now { return ([], held) }
        var allowed = requests
        if webhook.kind == .slack {
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
            if webhook.kind == .slack { slackRates.giveBack(webhook.url, count: allowed, now: now) }
            return ([], now + 1000)
        }
        let layout = MessageBody(for: webhook)
        let pieces = messages.map { layout.piece($0.event) }
        let requests = batching.groups(of: pieces.map(\.count), layout: layout).map {
            Request(messages: Array(messages[$0]), pieces: Array(pieces[$0]), layout: layout)
        }
        if webhook.kind == .slack { slackRates.giveBack(webhook.url, count: allowed - requests.count, now: now) }
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
        return due.map { .now + .milliseconds(max(0, $0 - Clock.nowMillis())) }
    }

    /// Sends one request and decides an attempt for each of its messages; a `paused` or
    /// `disabled` outcome stops the lane at once.
    private func attempt(_ request: Request) async -> Event {
        let webhook = self.webhook.withLock { $0 }
        let startedAt = Clock.nowMillis()
        let started = ContinuousClock.now
        let envelopes = request.messages.map {
            MessageEnvelope(messageID: $0.id, sequence: $0.sequence, attempt: $0.attempt, event: $0.event)
        }
        let delivery = await sender.send(
            envelopes, pieces: request.pieces, to: webhook, layout: request.layout,
            timestamp: startedAt / 1000)
        // Messages shutdown cut off go back to the queue; those already answered are recorded.
        let cutOff = delivery.cutOff.flatMap { request.messages[$0] }
        if !cutOff.isEmpty { try? await store.release(cutOff, now: Clock.nowMillis()) }
        let answers = delivery.answers
        guard !answers.isEmpty else { return .released }
        let elapsed = ContinuousClock.now - started
        let now = Clock.nowMillis()
        holdIfAsked(answers.map(\.response), webhook: webhook, now: now)
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
        let decisions = records.flatMap { record in record.messages.indices.map { record.messages[$0].decision } }
        let tally = decisions.reduce(into: [AttemptOutcome: Int]()) { $0[$1.outcome, default: 0] += 1 }
        observer?.attemptsFinished(webhookName: webhook.name, outcomes: tally, duration: elapsed)
        if let stop = decisions.first(where: { [.paused, .disabled].contains($0.outcome) }) {
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
        return .sent(records)
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

    /// After a `429` with `Retry-After`, sends nothing to this webhook (and, for Slack, to its
    /// URL) until then; the message itself is rescheduled by the policy.
    private func holdIfAsked(_ responses: [AttemptResponse], webhook: Webhook, now: Int64) {
        let delays = responses.compactMap { response -> Int64? in
            guard case .http(429, let retryAfter?, _) = response else { return nil }
            return RetryAfter.delayMillis(retryAfter, now: now)
        }
        guard let delay = delays.max() else { return }
        let until = now + min(delay, settings.schedule.maxRetryAfterMillis)
        heldUntil.withLock { $0 = max($0, until) }
        if webhook.kind == .slack { slackRates.hold(webhook.url, until: until, now: now) }
        signal.signal()  // a sleeping loop re-arms its sleep for the hold
        logger.info("destination asked to slow down", metadata: ["relay.heldForMs": "\(until - now)"])
    }
}
