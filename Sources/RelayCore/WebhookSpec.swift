import Foundation

/// The operator-chosen fields of a webhook, as declared in the configuration file (SPEC §1
/// `webhooks:`) and, later, sent to the API.
public struct WebhookSpec: Sendable, Equatable, Decodable {
    public var name: String
    public var kind: WebhookKind
    public var url: String
    public var events: [EventTypePattern]
    public var format: MessageFormat?
    public var secrets: [String]
    public var authorization: String?
    public var headers: [String: String]
    public var enabled: Bool
    public var allowPrivateNetwork: Bool
    public var hubSignature: Bool
    public var splunk: SplunkFields?
    public var batch: BatchSettings?
    public var auth: OAuth2ClientCredentials?
    public var clientCertificate: ClientCertificate?

    public init(
        name: String, kind: WebhookKind = .custom, url: String, events: [EventTypePattern],
        format: MessageFormat? = nil, secrets: [String] = [], authorization: String? = nil,
        headers: [String: String] = [:], enabled: Bool = true, allowPrivateNetwork: Bool = false,
        hubSignature: Bool = false, splunk: SplunkFields? = nil, batch: BatchSettings? = nil,
        auth: OAuth2ClientCredentials? = nil, clientCertificate: ClientCertificate? = nil
    ) {
        self.name = name
        self.kind = kind
        self.url = url
        self.events = events
        self.format = format
        self.secrets = secrets
        self.authorization = authorization
        self.headers = headers
        self.enabled = enabled
        self.allowPrivateNetwork = allowPrivateNetwork
        self.hubSignature = hubSignature
        self.splunk = splunk
        self.batch = batch
        self.auth = auth
        self.clientCertificate = clientCertificate
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case name, kind, url, events, format, secrets, authorization, headers, enabled, allowPrivateNetwork
        case hubSignature, splunk, batch, auth, clientCertificate, clientKey
    }

    public init(from decoder: any Decoder) throws {
        try StrictKeys.refuseUnknown(in: decoder, known: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        kind = try container.decodeIfPresent(WebhookKind.self, forKey: .kind) ?? .custom
        url = try container.decode(String.self, forKey: .url)
        events = try container.decodeIfPresent([EventTypePattern].self, forKey: .events) ?? []
        format = try container.decodeIfPresent(MessageFormat.self, forKey: .format)
        secrets = try container.decodeIfPresent([String].self, forKey: .secrets) ?? []
        authorization = try container.decodeIfPresent(String.self, forKey: .authorization)
        headers = try container.decodeIfPresent([String: String].self, forKey: .headers) ?? [:]
        enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
        allowPrivateNetwork = try container.decodeIfPresent(Bool.self, forKey: .allowPrivateNetwork) ?? false
        hubSignature = try container.decodeIfPresent(Bool.self, forKey: .hubSignature) ?? false
        splunk = try container.decodeIfPresent(SplunkFields.self, forKey: .splunk)
        batch = try container.decodeIfPresent(BatchSettings.self, forKey: .batch)
        auth = try container.decodeIfPresent(OAuth2ClientCredentials.self, forKey: .auth)
        let certificate = try container.decodeIfPresent(String.self, forKey: .clientCertificate)
        let key = try container.decodeIfPresent(String.self, forKey: .clientKey)
        switch (certificate, key) {
        case (nil, nil):
            clientCertificate = nil
        case (let certificate?, let key?):
            do {
                clientCertificate = try ClientCertificate(certificatePEM: certificate, keyPEM: key)
            } catch {
                let codingKey: CodingKeys = error.field == "clientKey" ? .clientKey : .clientCertificate
                throw DecodingError.dataCorruptedError(forKey: codingKey, in: container, debugDescription: error.reason)
            }
        case (nil, _):
            throw DecodingError.keyNotFound(
                CodingKeys.clientCertificate,
                .init(codingPath: container.codingPath, debugDescription: "clientKey needs clientCertificate"))
        case (_, nil):
            throw DecodingError.keyNotFound(
                CodingKeys.clientKey,
                .init(codingPath: container.codingPath, debugDescription: "clientCertificate needs clientKey"))
        }
    }

    /// Every rule the spec breaks at `now` (Unix milliseconds), field by field; empty when it is valid.
    public func problems(now: Int64 = WallClock.nowMillis()) -> [FieldError] {
        var errors: [FieldError] = []
        if name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 200 {
            errors.append(FieldError(field: "name", reason: "must be 1 to 200 characters"))
        }
        if let reason = DestinationURL.problem(url) {
            errors.append(FieldError(field: "url", reason: reason))
        }
        if events.isEmpty {
            errors.append(FieldError(field: "events", reason: "must name at least one event type, pattern or *"))
        }
        if kind == .custom {
            errors += WebhookSecrets.problems(secrets)
            if let authorization, let reason = HeaderRules.authorizationProblem(authorization) {
                errors.append(FieldError(field: "authorization", reason: reason))
            }
            errors += HeaderRules.headerProblems(headers)
            if let splunk {
                errors +=
                    format == .splunkHEC
                    ? splunk.problems() : [FieldError(field: "splunk", reason: "applies to format splunk-hec only")]
            }
            errors += batch?.problems(format: format ?? .json) ?? []
            if let auth {
                errors += auth.problems()
                if authorization != nil {
                    errors.append(FieldError(field: "auth", reason: "set either authorization or auth, not both"))
                }
            }
            if let problem = clientCertificate?.expiryProblem(now: now) { errors.append(problem) }
        }
        if kind == .slack {
            let customOnly: [(String, Bool)] = [
                ("secrets", !secrets.isEmpty), ("authorization", authorization != nil), ("headers", !headers.isEmpty),
                ("format", format != nil && format != .json), ("hubSignature", hubSignature),
                ("splunk", splunk != nil), ("batch", batch != nil), ("auth", auth != nil),
                ("clientCertificate", clientCertificate != nil),
            ]
            for (field, present) in customOnly where present {
                errors.append(FieldError(field: field, reason: "applies to custom webhooks only"))
            }
        }
        return errors
    }

    /// A new webhook with this spec's fields.
    public func makeWebhook(id: String, now: Int64) -> Webhook {
        Webhook(
            id: id, name: name, kind: kind, url: url, events: events, format: format ?? .json, secrets: secrets,
            authorization: authorization, headers: headers, state: enabled ? .active : .disabled,
            stateReason: enabled ? nil : Self.disabledInFileReason, allowPrivateNetwork: allowPrivateNetwork,
            hubSignature: hubSignature, splunk: splunk, batch: batch, auth: auth, clientCertificate: clientCertificate,
            createdAt: now, updatedAt: now)
    }

    /// Why a webhook declared with `enabled: false` is disabled.
    public static let disabledInFileReason = "disabled in the configuration file"
    /// Why a webhook switched off through the API is disabled.
    public static let disabledByOperatorReason = "disabled by an operator"

    /// A webhook created through the API with this spec's fields.
    public func makeWebhookForAPI(id: String, now: Int64) -> Webhook {
        var webhook = makeWebhook(id: id, now: now)
        if !enabled { webhook.stateReason = Self.disabledByOperatorReason }
        return webhook
    }

    /// `webhook` changed by an API `PATCH` that carried this spec's fields. Its state is kept
    /// (paused stays paused) unless the request sent `enabled` (`switching`) and that differs:
    /// `true` makes it active, `false` disables it as an operator's decision.
    public func patched(onto webhook: Webhook, switching enabled: Bool?) -> Webhook {
        var updated = remade(as: webhook)
        updated.state = webhook.state
        updated.stateReason = webhook.stateReason
        if let enabled, enabled != webhook.enabled {
            updated.state = enabled ? .active : .disabled
            updated.stateReason = enabled ? nil : Self.disabledByOperatorReason
        }
        return updated
    }
    /// Why a webhook that was declared before and is gone from the file is disabled.
    public static let removedFromFileReason = "removed from the configuration file"

    /// `webhook` with this spec's fields applied. A state the relay or an operator set (paused,
    /// disabled by a `410`) is kept unless the spec itself disables the webhook.
    public func applied(to webhook: Webhook, now: Int64) -> Webhook {
        var updated = remade(as: webhook)
        let disabledByFile =
            webhook.state == .disabled
            && [Self.disabledInFileReason, Self.removedFromFileReason].contains(webhook.stateReason)
        if enabled, !disabledByFile {
            updated.state = webhook.state
            updated.stateReason = webhook.stateReason
        }
        if updated != webhook { updated.updatedAt = now }
        return updated
    }

    /// A webhook with this spec's fields and `webhook`'s id and times.
    private func remade(as webhook: Webhook) -> Webhook {
        var updated = makeWebhook(id: webhook.id, now: webhook.updatedAt)
        updated.createdAt = webhook.createdAt
        // The metadata describes where the installed URL posts; another URL makes it wrong.
        updated.slack = kind == .slack && url == webhook.url ? webhook.slack : nil
        return updated
    }
}
