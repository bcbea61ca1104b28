import Prometheus
import RelayCore
import RelayStore

/// The relay's Prometheus metrics, served at `GET /metrics` (names and labels in
/// docs/operations.md). One registry per application, so tests can run several relays.
final class RelayMetrics: AttemptObserver {
    private let registry = PrometheusCollectorRegistry()
    private let eventsIngested: Counter
    private let eventsDuplicate: Counter
    private let commitLatency: DurationHistogram
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

    func attemptsFinished(webhookName: String, outcomes: [AttemptOutcome: Int], duration: Duration) {
        for (outcome, count) in outcomes {
            registry.makeCounter(
                descriptor: .init(
                    namespace: "auditrelay", metricName: "attempts", unitName: "total",
                    helpText: "Delivery attempts by webhook and outcome (one per message a request carried)."),
                labels: [("webhook", webhookName), ("outcome", outcome.rawValue)]
            ).increment(by: Int64(count))
        }
        registry.makeDurationHistogram(
            descriptor: .init(
                namespace: "auditrelay", metricName: "attempt_duration", unitName: "seconds",
                helpText: "Duration of delivery requests by webhook (a batch is one request)."),
            labels: [("webhook", webhookName)], buckets: Self.attemptBuckets
        ).record(duration)
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
