import Foundation

/// Where a webhook delivers: a Slack incoming webhook, or any HTTPS endpoint (Splunk HEC,
/// Microsoft Sentinel, IBM QRadar, …).
public enum WebhookKind: String, Sendable, Codable, CaseIterable {
    case slack
    case custom
}

/// How a custom webhook's request body is laid out (SPEC §6).
public enum MessageFormat: String, Sendable, Codable, CaseIterable {
    case json
    case splunkHEC = "splunk-hec"
    case ndjson
    case sentinel
}

/// Whether a webhook is being delivered to.
public enum WebhookState: String, Sendable, Codable, CaseIterable {
    /// Delivering.
    case active
    /// Stopped by the relay (the destination refused it); its queue is kept and grows.
    case paused
    /// Stopped by an operator or by a `410`; its queue is kept, new events are not queued.
    case disabled
}

/// A destination and everything needed to deliver to it.
public struct Webhook: Sendable, Equatable {
    /// `wh_…`, made by the relay.
    public var id: String
    /// Unique, human-chosen name.
    public var name: String
    public var kind: WebhookKind
    /// The destination, an `https` URL.
    public var url: String
    /// Event-type subscriptions; an event is delivered when one matches.
    public var events: [EventTypePattern]
    public var format: MessageFormat
    /// Signing secrets, in order (custom webhooks only).
    public var secrets: [String]
    /// The full `Authorization` header value sent to the destination, if any.
    public var authorization: String?
    /// Extra request headers (custom webhooks only).
    public var headers: [String: String]
    public var state: WebhookState
    /// Why the webhook is paused or disabled.
    public var stateReason: String?
    /// Allows destinations that resolve to private addresses (SPEC §5.3).
    public var allowPrivateNetwork: Bool
    /// Adds `X-Hub-Signature-256` made with the first secret.
    public var hubSignature: Bool
    /// The envelope fields of a `splunk-hec` webhook; defaults when absent.
    public var splunk: SplunkFields?
    /// How messages are grouped into requests; one per request when absent.
    public var batch: BatchSettings?
    /// Token-based authentication fetched by the relay, instead of a static `authorization`.
    public var auth: OAuth2ClientCredentials?
    /// The TLS client certificate presented to the destination (custom webhooks only).
    public var clientCertificate: ClientCertificate?
    /// Slack webhooks installed through OAuth: where they post (read-only).
    public var slack: SlackInstallation?
    /// Unix milliseconds.
    public var createdAt: Int64
    /// Unix milliseconds.
    public var updatedAt: Int64

    public init(
        id: String, name: String, kind: WebhookKind, url: String, events: [EventTypePattern],
        format: MessageFormat = .json, secrets: [String] = [], authorization: String? = nil,
        headers: [String: String] = [:], state: WebhookState = .active, stateReason: String? = nil,
        allowPrivateNetwork: Bool = false, hubSignature: Bool = false, splunk: SplunkFields? = nil,
        batch: BatchSettings? = nil, auth: OAuth2ClientCredentials? = nil,
        clientCertificate: ClientCertificate? = nil, slack: SlackInstallation? = nil, createdAt: Int64,
        updatedAt: Int64
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.url = url
        self.events = events
        self.format = format
        self.secrets = secrets
        self.authorization = authorization
        self.headers = headers
        self.state = state
        self.stateReason = stateReason
        self.allowPrivateNetwork = allowPrivateNetwork
        self.hubSignature = hubSignature
        self.splunk = splunk
        self.batch = batch
        self.auth = auth
        self.clientCertificate = clientCertificate
        self.slack = slack
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Whether the webhook is switched on (not `disabled`).
    public var enabled: Bool { state != .disabled }

    /// How messages are grouped: the webhook's `batch`, or one message per request.
    public var batching: BatchSettings { kind == .slack ? .single : batch ?? .single }

    /// Requests in flight at once: the configured number, or 1 for Slack (a channel's order, and
    /// a `429` is seen before the next message goes).
    public func concurrency(configured: Int) -> Int { kind == .slack ? 1 : configured }

    /// Whether its sends are counted against a rate shared by every webhook with the same URL
    /// (Slack takes about one message a second per incoming webhook).
    public var isRateLimitedByURL: Bool { kind == .slack }

    /// How deep its lane's pipeline is (``LaneMachine/Context/depth``): rounds of requests one
    /// claim takes, and of answers that may wait unwritten. 4 for one-message requests, whose
    /// rounds are small (docs/PERFORMANCE.md, session 12: a quarter more events per second and a
    /// sixth less CPU per event than at 1; 2 and 8 within the noise of 4). A batching webhook's
    /// round is already up to `concurrency × maxEvents` messages (deeper, its splunk-hec drain was
    /// slower and the relay's peak memory passed 150 MB), and Slack's claims take rate tokens, so
    /// both claim one round.
    public var pipelineDepth: Int { isRateLimitedByURL || batching.maxEvents > 1 ? 1 : 4 }
}
