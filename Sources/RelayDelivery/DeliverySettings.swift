import RelayCore

/// What the dispatcher needs from `delivery:` in the configuration.
public struct DeliverySettings: Sendable {
    public var schedule: RetrySchedule
    /// Most attempts in flight per webhook.
    public var concurrencyPerWebhook: Int
    /// Messages a second to one Slack URL, on average.
    public var slackRate: Double
    /// Messages to one Slack URL at once.
    public var slackBurst: Int

    public init(
        schedule: RetrySchedule, concurrencyPerWebhook: Int, slackRate: Double = 1, slackBurst: Int = 3
    ) {
        self.schedule = schedule
        self.concurrencyPerWebhook = concurrencyPerWebhook
        self.slackRate = slackRate
        self.slackBurst = slackBurst
    }

    /// The settings of a loaded configuration.
    public init(_ delivery: RelayConfiguration.Delivery) {
        self.init(
            schedule: delivery.schedule, concurrencyPerWebhook: delivery.concurrencyPerWebhook,
            slackRate: delivery.slackRate, slackBurst: delivery.slackBurst)
    }
}
