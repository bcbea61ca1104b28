import RelayCore
import RelayStore

/// A webhook as the API returns it: secrets and authorization masked, Slack URLs redacted.
struct WebhookView: Encodable {
    let id: String
    let name: String
    let kind: String
    let url: String
    let events: [String]
    let format: String?
    let secrets: [String]
    let authorization: String?
    let headers: [String: String]
    let enabled: Bool
    let state: String
    let stateReason: String?
    let allowPrivateNetwork: Bool
    let hubSignature: Bool
    let splunk: SplunkFields?
    let batch: BatchSettings?
    let auth: OAuth2ClientCredentials?
    let clientCertificate: ClientCertificateView?
    let createdAt: String
    let updatedAt: String
    let health: HealthView

    init(_ webhook: Webhook, health: WebhookHealth) {
        self.health = HealthView(health)
        id = webhook.id
        name = webhook.name
        kind = webhook.kind.rawValue
        url = Redaction.url(webhook.url, kind: webhook.kind)
        events = webhook.events.map(\.description)
        format = webhook.kind == .custom ? webhook.format.rawValue : nil
        secrets = webhook.secrets.map(WebhookSecrets.mask)
        authorization = webhook.authorization.map(WebhookSecrets.mask)
        headers = webhook.headers
        enabled = webhook.enabled
        state = webhook.state.rawValue
        stateReason = webhook.stateReason
        allowPrivateNetwork = webhook.allowPrivateNetwork
        hubSignature = webhook.hubSignature
        splunk = webhook.splunk
        batch = webhook.batch
        auth = webhook.auth.map { auth in
            var masked = auth
            masked.clientSecret = WebhookSecrets.mask(auth.clientSecret)
            return masked
        }
        clientCertificate = webhook.clientCertificate.map(ClientCertificateView.init)
        createdAt = RFC3339.format(millis: webhook.createdAt)
        updatedAt = RFC3339.format(millis: webhook.updatedAt)
    }

    private enum CodingKeys: String, CodingKey {
        case id, name, kind, url, events, format, secrets, authorization, headers, enabled, state, stateReason
        case allowPrivateNetwork, hubSignature, splunk, batch, auth, clientCertificate, createdAt, updatedAt, health
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(kind, forKey: .kind)
        try container.encode(url, forKey: .url)
        try container.encode(events, forKey: .events)
        try container.encodeIfPresent(format, forKey: .format)
        try container.encode(secrets, forKey: .secrets)
        try container.encode(authorization, forKey: .authorization)
        try container.encode(headers, forKey: .headers)
        try container.encode(enabled, forKey: .enabled)
        try container.encode(state, forKey: .state)
        try container.encode(stateReason, forKey: .stateReason)
        try container.encode(allowPrivateNetwork, forKey: .allowPrivateNetwork)
        try container.encode(hubSignature, forKey: .hubSignature)
        if kind == WebhookKind.custom.rawValue {
            try container.encode(splunk, forKey: .splunk)
            try container.encode(batch, forKey: .batch)
            try container.encode(auth, forKey: .auth)
            try container.encode(clientCertificate, forKey: .clientCertificate)
        }
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(health, forKey: .health)
    }
}

/// A webhook's client certificate as reads show it: which one and until when, never the key.
struct ClientCertificateView: Encodable {
    let subject: String
    let notValidAfter: String
    let fingerprint: String

    init(_ certificate: ClientCertificate) {
        subject = certificate.subject
        notValidAfter = RFC3339.format(millis: certificate.notValidAfter)
        fingerprint = certificate.fingerprint
    }
}

/// A webhook's queue and recent results.
struct HealthView: Encodable {
    let queueDepth: Int
    let oldestPendingAt: String?
    let lastSuccessAt: String?
    let lastFailureAt: String?
    let lastFailureReason: String?
    let consecutiveFailures: Int

    init(_ health: WebhookHealth) {
        queueDepth = health.queueDepth
        oldestPendingAt = health.oldestPendingAt.map(RFC3339.format(millis:))
        lastSuccessAt = health.lastSuccessAt.map(RFC3339.format(millis:))
        lastFailureAt = health.lastFailureAt.map(RFC3339.format(millis:))
        lastFailureReason = health.lastFailureReason
        consecutiveFailures = health.consecutiveFailures
    }

    private enum CodingKeys: String, CodingKey {
        case queueDepth, oldestPendingAt, lastSuccessAt, lastFailureAt, lastFailureReason, consecutiveFailures
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(queueDepth, forKey: .queueDepth)
        try container.encode(oldestPendingAt, forKey: .oldestPendingAt)
        try container.encode(lastSuccessAt, forKey: .lastSuccessAt)
        try container.encode(lastFailureAt, forKey: .lastFailureAt)
        try container.encode(lastFailureReason, forKey: .lastFailureReason)
        try container.encode(consecutiveFailures, forKey: .consecutiveFailures)
    }
}
