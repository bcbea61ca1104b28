import Prometheus
import RelayCore
import RelayStore
import Synchronization

/// The relay's Prometheus metrics, served at `GET /metrics` (names and labels in
/// docs/operations.md). One registry per application, so tests can run several relays.
final class RelayMetrics: AttemptObserver {
    private let registry = PrometheusCollectorRegistry()
    private let eventsIngested: Counter
    private let eventsDuplicate: Counter
    private let commitLatency: DurationHistogram
    /// Each webhook's attempt metrics, made once: the registry's lookup builds the metric's name
    /// and labels, too much for every attempt.
    private let attemptMetrics = Mutex<[String: AttemptMetrics]>([:])
    private static let attemptBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(15),
    ]

    init() {
        eventsIngested = registry.makeCounter(
            descriptor: .init(
                namespace: "auditrelay", metricName: "events_ingested", unitName: "total",
                helpText: "Events stored by POST /v1/events (duplicates not counted)."))
        eventsDuplicate = registry.makeCounter(
            descriptor: .init(
                namespace: "auditrelay", metricName: "events_duplicate", unitName: "total",
                helpText: "Events refused as duplicates of a stored id."))
        commitLatency = registry.makeDurationHistogram(
            descriptor: .init(
                namespace: "auditrelay", metricName: "ingest_commit_duration", unitName: "seconds",
                helpText: "Time from parsed request to durable commit (group commit and fsync included)."),
            labels: [],
            buckets: [
                .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1),
            ])
    }

    /// Counts one ingest request's result and its commit latency.
    func ingested(_ receipt: IngestReceipt, commit: Duration) {
        eventsIngested.increment(by: Int64(receipt.accepted))
        eventsDuplicate.increment(by: Int64(receipt.duplicates))
        commitLatency.record(commit)
    }

    func requestFinished(webhookName: String, duration: Duration) {
        metrics(for: webhookName).duration.record(duration)
    }

    func attemptsRecorded(webhookName: String, outcomes: [AttemptOutcome: Int]) {
        let metrics = metrics(for: webhookName)
        for (outcome, count) in outcomes { metrics.attempts[outcome]?.increment(by: Int64(count)) }
    }

    private func metrics(for webhookName: String) -> AttemptMetrics {
        attemptMetrics.withLock { cache in
            if let known = cache[webhookName] { return known }
            let made = AttemptMetrics(registry: registry, webhookName: webhookName)
            cache[webhookName] = made
            return made
        }
    }

    /// One webhook's attempt counters (by outcome) and duration histogram.
    private struct AttemptMetrics: Sendable {
        let attempts: [AttemptOutcome: Counter]
        let duration: DurationHistogram

        init(registry: PrometheusCollectorRegistry, webhookName: String) {
            let descriptor = MetricNameDescriptor(
                namespace: "auditrelay", metricName: "attempts", unitName: "total",
                helpText: "Delivery attempts by webhook and outcome (one per message a request carried).")
            attempts = Dictionary(
                uniqueKeysWithValues: AttemptOutcome.allCases.map { outcome in
                    let labels = [("webhook", webhookName), ("outcome", outcome.rawValue)]
                    return (outcome, registry.makeCounter(descriptor: descriptor, labels: labels))
                })
            duration = registry.makeDurationHistogram(
                descriptor: .init(
                    namespace: "auditrelay", metricName: "attempt_duration", unitName: "seconds",
                    helpText: "Duration of delivery requests by webhook (a batch is one request)."),
                labels: [("webhook", webhookName)], buckets: RelayMetrics.attemptBuckets)
        }
    }

    /// The exposition text, with the queue gauges read from the store now.
    func render(queues: [QueueStatistics], now: Int64) -> [UInt8] {
        for queue in queues {
            registry.makeGauge(
                descriptor: .init(
                    namespace: "auditrelay", metricName: "queue_depth", unitName: "messages",
                    helpText: "Undelivered messages per webhook."),
                labels: [("webhook", queue.webhookName)]
            ).set(to: Double(queue.depth))
            registry.makeGauge(
                descriptor: .init(
                    namespace: "auditrelay", metricName: "queue_oldest_age", unitName: "seconds",
                    helpText: "Age of the oldest undelivered message per webhook (0 when none)."),
                labels: [("webhook", queue.webhookName)]
            ).set(to: queue.oldestQueuedAt.map { Double(max(0, now - $0)) / 1000 } ?? 0)
        }
        return registry.emitToBuffer()
    }
}
