/// Told about every finished attempt, for metrics; the delivery code knows nothing of how they
/// are exported.
public protocol AttemptObserver: Sendable {
    /// One request to `webhookName` took `duration`; `outcomes` counts the attempts it carried
    /// (one per message) by outcome.
    func attemptsFinished(webhookName: String, outcomes: [AttemptOutcome: Int], duration: Duration)
}
