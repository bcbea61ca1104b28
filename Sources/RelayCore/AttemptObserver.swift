/// Told about every finished attempt, for metrics; the delivery code knows nothing of how they
/// are exported.
public protocol AttemptObserver: Sendable {
    /// One attempt to `webhookName` ended with `outcome` after `duration`.
    func attemptFinished(webhookName: String, outcome: AttemptOutcome, duration: Duration)
}
