import Foundation

/// The body of `POST /v1/webhooks` and `PATCH /v1/webhooks/{id}` as clients (the CLI, the tests)
/// write it: members left `nil` are left out, so a PATCH changes only what it names.
///
/// The server reads the same members with ``WebhookInput``, which names every bad one at once;
/// `WebhookRequestTests` checks that the two agree.
///
/// ```swift
/// var request = WebhookRequest(name: "SIEM", url: "https://siem.example.com/in", events: ["*"])
/// request.authorization = .set("Bearer abc")   // .clear sends null
/// ```
public struct WebhookRequest: Encodable, Sendable {
    public var name: String?
    public var kind: WebhookKind?
    public var url: String?
    public var events: [String]?
    public var format: MessageFormat?
    /// Replaces the whole list.
    public var secrets: [String]?
    public var authorization: Change<String>?
    /// Replaces all extra headers.
    public var headers: [String: String]?
    public var enabled: Bool?
    public var allowPrivateNetwork: Bool?
    public var hubSignature: Bool?
    public var splunk: Splunk?
    public var batch: Change<Batch>?
    public var auth: Change<Auth>?
    /// PEM; `.clear` removes the certificate and its key.
    public var clientCertificate: Change<String>?
    /// PEM, write-only.
    public var clientKey: String?

    public init(name: String? = nil, kind: WebhookKind? = nil, url: String? = nil, events: [String]? = nil) {
        self.name = name
        self.kind = kind
        self.url = url
        self.events = events
    }

    /// `splunk` members to set; the ones left out take their defaults.
    public struct Splunk: Encodable, Sendable {
        public var source: String?
        public var sourcetype: String?
        public var index: String?
        public var host: String?

        public init(source: String? = nil, sourcetype: String? = nil, index: String? = nil, host: String? = nil) {
            self.source = source
            self.sourcetype = sourcetype
            self.index = index
            self.host = host
        }
    }

    /// `batch` members to set; the ones left out take their defaults.
    public struct Batch: Encodable, Sendable {
        public var maxEvents: Int?
        public var maxBytes: Int?
        /// A duration such as `500ms` or `2s`.
        public var maxWait: String?

        public init(maxEvents: Int? = nil, maxBytes: Int? = nil, maxWait: String? = nil) {
            self.maxEvents = maxEvents
            self.maxBytes = maxBytes
            self.maxWait = maxWait
        }
    }

    /// OAuth 2.0 client credentials; on a PATCH the members left out keep their values.
    public struct Auth: Encodable, Sendable {
        public var type = OAuth2ClientCredentials.type
        public var tokenUrl: String?
        public var clientId: String?
        public var clientSecret: String?
        public var scope: String?

        public init(tokenUrl: String? = nil, clientId: String? = nil, clientSecret: String? = nil, scope: String? = nil)
        {
            self.tokenUrl = tokenUrl
            self.clientId = clientId
            self.clientSecret = clientSecret
            self.scope = scope
        }
    }
}
