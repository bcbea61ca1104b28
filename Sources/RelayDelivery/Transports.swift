import RelayCore

/// The two HTTP clients the dispatcher sends with: one behind the egress guard, one without it
/// for webhooks (or a relay) allowed to reach private networks.
struct Transports: Sendable {
    private let guarded: HTTPTransport
    private let open: HTTPTransport

    init(configuration: HTTPTransport.Configuration, allowPrivateNetworks: Bool) throws {
        var open = configuration
        open.refuseNonPublicAddresses = false
        self.open = try HTTPTransport(configuration: open)
        if allowPrivateNetworks {
            self.guarded = self.open
        } else {
            var guarded = configuration
            guarded.refuseNonPublicAddresses = true
            self.guarded = try HTTPTransport(configuration: guarded)
        }
    }

    /// The transport for `webhook`: guarded unless it may reach private networks.
    func `for`(_ webhook: Webhook) -> HTTPTransport {
        webhook.allowPrivateNetwork ? open : guarded
    }

    func shutdown() async throws {
        try await open.shutdown()
        if guarded !== open { try await guarded.shutdown() }
    }
}
