import Foundation

/// A webhook as the API shows it (SPEC §3): secrets and the authorization value masked, a Slack
/// URL's secret path redacted, the client key never. The server writes it, the CLI and the tests
/// read it.
public struct WebhookResource: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var kind: WebhookKind
    public var url: String
    public var events: [String]
    /// Custom webhooks only.
    @Omissible public var format: MessageFormat??
    /// Masked, in signing order.
    public var secrets: [String]
    /// Masked.
    @Nullable public var authorization: String?
    public var headers: [String: String]
    public var enabled: Bool
    public var state: WebhookState
    @Nullable public var stateReason: String?
    public var allowPrivateNetwork: Bool
    public var hubSignature: Bool
    /// Custom webhooks only; `null` for the defaults.
    @Omissible public var splunk: SplunkFields??
    /// Custom webhooks only; `null` for one event per request.
    @Omissible public var batch: BatchSettings??
    /// Custom webhooks only; the client secret masked.
    @Omissible public var auth: OAuth2ClientCredentials??
    /// Custom webhooks only.
    @Omissible public var clientCertificate: ClientCertificateResource??
    /// Slack webhooks only; `null` unless installed through OAuth. Read-only.
    @Omissible public var slack: SlackInstallation??
    public var createdAt: String
    public var updatedAt: String
    public var health: WebhookHealthResource

    /// `webhook` as reads show it, with its `health`.
    public init(_ webhook: Webhook, health: WebhookHealthResource) {
        let custom = webhook.kind == .custom
        id = webhook.id
        name = webhook.name
        kind = webhook.kind
        url = Redaction.url(webhook.url, kind: webhook.kind)
        events = webhook.events.map(\.description)
        format = custom ? .some(webhook.format) : .none
        secrets = webhook.secrets.map(WebhookSecrets.mask)
        authorization = webhook.authorization.map(WebhookSecrets.mask)
        headers = webhook.headers
        enabled = webhook.enabled
        state = webhook.state
        stateReason = webhook.stateReason
        allowPrivateNetwork = webhook.allowPrivateNetwork
        hubSignature = webhook.hubSignature
        splunk = custom ? .some(webhook.splunk) : nil
        batch = custom ? .some(webhook.batch) : nil
        auth =
            custom
            ? .some(
                webhook.auth.map { auth in
                    var masked = auth
                    masked.clientSecret = WebhookSecrets.mask(auth.clientSecret)
                    return masked
                }) : nil
        clientCertificate = custom ? .some(webhook.clientCertificate.map(ClientCertificateResource.init)) : nil
        slack = custom ? nil : .some(webhook.slack)
        createdAt = RFC3339.format(millis: webhook.createdAt)
        updatedAt = RFC3339.format(millis: webhook.updatedAt)
        self.health = health
    }
}

/// `GET /v1/webhooks`.
public struct WebhookList: Codable, Sendable, Equatable {
    public var webhooks: [WebhookResource]

    public init(webhooks: [WebhookResource]) {
        self.webhooks = webhooks
    }
}

/// A webhook's client certificate as reads show it: which one and until when, never the key.
public struct ClientCertificateResource: Codable, Sendable, Equatable {
    public var subject: String
    public var notValidAfter: String
    /// SHA-256 of the certificate's DER bytes, in hex.
    public var fingerprint: String

    public init(_ certificate: ClientCertificate) {
        subject = certificate.subject
        notValidAfter = RFC3339.format(millis: certificate.notValidAfter)
        fingerprint = certificate.fingerprint
    }
}

/// A webhook's queue and recent results.
public struct WebhookHealthResource: Codable, Sendable, Equatable {
    public var queueDepth: Int
    @Nullable public var oldestPendingAt: String?
    @Nullable public var lastSuccessAt: String?
    @Nullable public var lastFailureAt: String?
    @Nullable public var lastFailureReason: String?
    /// Attempts that did not deliver since the last one that did.
    public var consecutiveFailures: Int

    /// Times are Unix milliseconds.
    public init(
        queueDepth: Int, oldestPendingAt: Int64?, lastSuccessAt: Int64?, lastFailureAt: Int64?,
        lastFailureReason: String?, consecutiveFailures: Int
    ) {
        self.queueDepth = queueDepth
        self.oldestPendingAt = oldestPendingAt.map(RFC3339.format(millis:))
        self.lastSuccessAt = lastSuccessAt.map(RFC3339.format(millis:))
        self.lastFailureAt = lastFailureAt.map(RFC3339.format(millis:))
        self.lastFailureReason = lastFailureReason
        self.consecutiveFailures = consecutiveFailures
    }
}
