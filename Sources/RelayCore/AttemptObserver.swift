/// Told about every finished attempt, for metrics; the delivery code knows nothing of how they
/// are exported.
public protocol AttemptObserver: Sendable {
    /// One request to `webhookName` took `duration`.
    func requestFinished(webhookName: String, duration: Duration)

    /// Attempts to `webhookName` (one per message a request carried), counted by outcome, are
    /// now in the store: a scrape that sees them also sees the queue they left.
    func attemptsRecorded(webhookName: String, outcomes: [AttemptOutcome: Int])
}
