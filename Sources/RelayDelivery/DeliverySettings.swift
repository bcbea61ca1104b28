import RelayCore

/// What the dispatcher needs from `delivery:` in the configuration.
public struct DeliverySettings: Sendable {
    public var schedule: RetrySchedule
    /// Most attempts in flight per webhook.
    public var concurrencyPerWebhook: Int
    /// The whole-request deadline; leases last this long plus ``leaseMargin``.
    public var timeout: RelayDuration
    /// Extra lease time beyond the request deadline, for recording the outcome.
    public var leaseMargin = RelayDuration.seconds(30)
    public var allowPrivateNetworks: Bool

    public init(schedule: RetrySchedule, concurrencyPerWebhook: Int, timeout: RelayDuration, allowPrivateNetworks: Bool)
    {
        self.schedule = schedule
        self.concurrencyPerWebhook = concurrencyPerWebhook
        self.timeout = timeout
        self.allowPrivateNetworks = allowPrivateNetworks
    }

    /// The settings of a loaded configuration.
    public init(_ delivery: RelayConfiguration.Delivery) {
        self.init(
            schedule: delivery.schedule, concurrencyPerWebhook: delivery.concurrencyPerWebhook,
            timeout: delivery.timeout,
            allowPrivateNetworks: delivery.allowPrivateNetworks)
    }
}
