import Foundation

/// Everything `auditrelay serve` can be told (SPEC §1), with the embedded defaults.
///
/// Decoding refuses unknown keys, so a misspelt key in the file is reported instead of ignored.
public struct RelayConfiguration: Sendable, Equatable, Decodable {
    public var server = Server()
    public var store = Store()
    public var auth = Auth()
    public var ingest = Ingest()
    public var delivery = Delivery()
    /// How long events, attempts and finished messages are kept.
    public var retention = RelayDuration(milliseconds: 7 * 86_400_000)
    /// The event-type catalogue's declared entries.
    public var eventTypes = [EventTypeInfo(name: "user.login", description: "A user signed in")]
    /// Webhooks declared in the file, applied at start by name.
    public var webhooks: [WebhookSpec] = []
    public var log = Log()
    public var web = Web()
    public var slack = Slack()
    public var inbound = Inbound()

    public init() {}

    /// `server:`
    public struct Server: Sendable, Equatable, Decodable {
        /// `host:port` the HTTP API listens on.
        public var listen = "127.0.0.1:8080"
        /// How others reach this relay (`https://relay.example.com`): the base of the Slack
        /// redirect URL and of inbound sources' URLs.
        public var publicURL: String?
        /// How long a request's head may take to arrive (``ConnectionDeadline``).
        public var headerTimeout = RelayDuration.seconds(10)
        /// How long a kept-alive connection may wait for its next request.
        public var idleTimeout = RelayDuration.seconds(60)
        /// The certificate and key to serve HTTPS with; plain HTTP without them.
        public var tls = TLS()
        public init() {}
        public init(from decoder: any Decoder) throws {
            let reader = try ConfigReader(decoder, section: "server")
            listen = try reader.value("listen", default: listen)
            publicURL = try reader.optional("publicURL")
            headerTimeout = try reader.value("headerTimeout", default: headerTimeout)
            idleTimeout = try reader.value("idleTimeout", default: idleTimeout)
            tls = try reader.value("tls", default: tls)
            for (key, value) in [("headerTimeout", headerTimeout), ("idleTimeout", idleTimeout)]
            where value.milliseconds < 1000 {
                throw reader.invalid(key, "must be at least 1s")
            }
        }

        /// `server.tls:`
        public struct TLS: Sendable, Equatable, Decodable {
            /// PEM certificate chain, the server's own certificate first.
            public var certificateFile: String?
            /// Its PEM private key.
            public var keyFile: String?
            public init(certificateFile: String? = nil, keyFile: String? = nil) {
                self.certificateFile = certificateFile
                self.keyFile = keyFile
            }
            public init(from decoder: any Decoder) throws {
                let reader = try ConfigReader(decoder, section: "server.tls")
                certificateFile = try reader.optional("certificateFile")
                keyFile = try reader.optional("keyFile")
                if (certificateFile == nil) != (keyFile == nil) {
                    throw reader.invalid(
                        certificateFile == nil ? "certificateFile" : "keyFile",
                        "certificateFile and keyFile are set together (both for HTTPS, neither for HTTP)")
                }
            }

            /// Whether the server speaks HTTPS.
            public var isEnabled: Bool { certificateFile != nil && keyFile != nil }
        }
    }

    /// `store:`
    public struct Store: Sendable, Equatable, Decodable {
        /// The SQLite database file.
        public var path = "data/auditrelay.sqlite"
        public init() {}
        public init(from decoder: any Decoder) throws {
            let reader = try ConfigReader(decoder, section: "store")
            path = try reader.value("path", default: path)
        }
    }

    /// `auth:`
    public struct Auth: Sendable, Equatable, Decodable {
        public var adminTokens: [String] = []
        public var ingestTokens: [String] = []
        public init() {}
        public init(from decoder: any Decoder) throws {
            let reader = try ConfigReader(decoder, section: "auth")
            adminTokens = try reader.value("adminTokens", default: adminTokens)
            ingestTokens = try reader.value("ingestTokens", default: ingestTokens)
        }
    }

    /// `ingest:`
    public struct Ingest: Sendable, Equatable, Decodable {
        public var maxBodyBytes = 10_485_760
        public var maxEventsPerRequest = 10_000
        public var maxEventBytes = 1_048_576
        /// Most undelivered messages kept before ingest answers `503`.
        public var maxQueuedEvents = 10_000_000
        public init() {}
        public init(from decoder: any Decoder) throws {
            let reader = try ConfigReader(decoder, section: "ingest")
            maxBodyBytes = try reader.value("maxBodyBytes", default: maxBodyBytes)
            maxEventsPerRequest = try reader.value("maxEventsPerRequest", default: maxEventsPerRequest)
            maxEventBytes = try reader.value("maxEventBytes", default: maxEventBytes)
            maxQueuedEvents = try reader.value("maxQueuedEvents", default: maxQueuedEvents)
        }

        /// The per-request limits the parser applies.
        public var limits: IngestLimits {
            IngestLimits(maxEventsPerRequest: maxEventsPerRequest, maxEventBytes: maxEventBytes)
        }
    }

    /// `delivery:`
    public struct Delivery: Sendable, Equatable, Decodable {
        public var connectTimeout = RelayDuration.seconds(5)
        /// Deadline of one whole request.
        public var timeout = RelayDuration.seconds(15)
        public var retrySchedule: [RelayDuration] = [5, 30, 120, 600, 1800, 3600, 7200, 14_400, 28_800, 43_200, 43_200]
            .map { RelayDuration.seconds($0) }
        public var maxAge = RelayDuration.seconds(72 * 3600)
        public var maxRetryAfter = RelayDuration.seconds(3600)
        public var concurrencyPerWebhook = 4
        /// Extra PEM roots trusted for outbound TLS.
        public var trustedCAFile: String?
        public var allowPrivateNetworks = false
        /// Messages a second sent to one Slack URL, on average (SPEC §5.2).
        public var slackRate = 1.0
        /// Messages sent to one Slack URL at once before ``slackRate`` applies.
        public var slackBurst = 3
        /// The HTTP proxy deliveries go through, if any.
        public var proxy = Proxy()
        /// How long a kept-alive connection is used; a newer one resolves the host again.
        public var connectionMaxAge = RelayDuration.seconds(300)
        public init() {}
        public init(from decoder: any Decoder) throws {
            let reader = try ConfigReader(decoder, section: "delivery")
            connectTimeout = try reader.value("connectTimeout", default: connectTimeout)
            timeout = try reader.value("timeout", default: timeout)
            retrySchedule = try reader.value("retrySchedule", default: retrySchedule)
            maxAge = try reader.value("maxAge", default: maxAge)
            maxRetryAfter = try reader.value("maxRetryAfter", default: maxRetryAfter)
            concurrencyPerWebhook = try reader.value("concurrencyPerWebhook", default: concurrencyPerWebhook)
            trustedCAFile = try reader.optional("trustedCAFile")
            allowPrivateNetworks = try reader.value("allowPrivateNetworks", default: allowPrivateNetworks)
            slackRate = try reader.value("slackRate", default: slackRate)
            slackBurst = try reader.value("slackBurst", default: slackBurst)
            proxy = try reader.value("proxy", default: proxy)
            connectionMaxAge = try reader.value("connectionMaxAge", default: connectionMaxAge)
            guard concurrencyPerWebhook >= 1 else {
                throw reader.invalid("concurrencyPerWebhook", "must be at least 1")
            }
            guard slackRate > 0, slackRate.isFinite else { throw reader.invalid("slackRate", "must be above 0") }
            guard slackBurst >= 1 else { throw reader.invalid("slackBurst", "must be at least 1") }
        }

        /// `delivery.proxy:`
        public struct Proxy: Sendable, Equatable, Decodable {
            /// `http://[user:password@]host:port`; `nil` for direct connections.
            public var url: String?
            /// Hosts reached directly (see ``ProxySettings/noProxy``).
            public var noProxy: [String] = []
            public init(url: String? = nil, noProxy: [String] = []) {
                self.url = url
                self.noProxy = noProxy
            }
            public init(from decoder: any Decoder) throws {
                let reader = try ConfigReader(decoder, section: "delivery.proxy")
                url = try reader.optional("url")
                noProxy = try reader.value("noProxy", default: noProxy)
                if let url, !url.isEmpty {
                    do {
                        _ = try ProxySettings(url: url, noProxy: noProxy)
                    } catch {
                        throw reader.invalid("url", error.description)
                    }
                }
            }

            /// The proxy to use, or `nil` when none is set.
            public var settings: ProxySettings? {
                guard let url, !url.isEmpty else { return nil }
                return try? ProxySettings(url: url, noProxy: noProxy)
            }
        }

        /// The retry schedule in the form the delivery policy uses.
        public var schedule: RetrySchedule {
            RetrySchedule(
                delaysMillis: retrySchedule.map(\.milliseconds), maxAgeMillis: maxAge.milliseconds,
                maxRetryAfterMillis: maxRetryAfter.milliseconds)
        }
    }

    /// `web:` (the settings page, SPEC §10)
    public struct Web: Sendable, Equatable, Decodable {
        /// A page session ends this long after sign-in, used or not.
        public var sessionTTL = RelayDuration.seconds(12 * 3600)
        /// A page session ends after this long without use.
        public var idleTimeout = RelayDuration.seconds(3600)
        public init() {}
        public init(from decoder: any Decoder) throws {
            let reader = try ConfigReader(decoder, section: "web")
            sessionTTL = try reader.value("sessionTTL", default: sessionTTL)
            idleTimeout = try reader.value("idleTimeout", default: idleTimeout)
        }
    }

    /// `log:`
    public struct Log: Sendable, Equatable, Decodable {
        /// One of ``levels``.
        public var level = "info"
        /// The levels `log.level` takes, most verbose first (swift-log's).
        public static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        /// `text` or `json`.
        public var format = "text"
        public init() {}
        public init(from decoder: any Decoder) throws {
            let reader = try ConfigReader(decoder, section: "log")
            level = try reader.value("level", default: level)
            format = try reader.value("format", default: format)
            guard Self.levels.contains(level) else {
                throw reader.invalid("level", "must be one of \(Self.levels.joined(separator: ", "))")
            }
            guard ["text", "json"].contains(format) else { throw reader.invalid("format", "must be text or json") }
        }
    }

    public init(from decoder: any Decoder) throws {
        let reader = try ConfigReader(decoder, section: "")
        server = try reader.value("server", default: server)
        store = try reader.value("store", default: store)
        auth = try reader.value("auth", default: auth)
        ingest = try reader.value("ingest", default: ingest)
        delivery = try reader.value("delivery", default: delivery)
        retention = try reader.value("retention", default: retention)
        eventTypes = try reader.value("eventTypes", default: eventTypes)
        webhooks = try reader.value("webhooks", default: webhooks)
        log = try reader.value("log", default: log)
        web = try reader.value("web", default: web)
        slack = try reader.value("slack", default: slack)
        inbound = try reader.value("inbound", default: inbound)
        if slack.isEnabled && slack.callbackURL(publicURL: server.publicURL) == nil {
            throw reader.invalid(
                "slack", "slack.clientID needs slack.redirectURL or server.publicURL (where Slack sends people back)")
        }
    }
}

/// One entry of the event-type catalogue.
public struct EventTypeInfo: Sendable, Equatable, Codable {
    public var name: String
    public var description: String?

    public init(name: String, description: String? = nil) {
        self.name = name
        self.description = description
    }
}

/// Reads one section of the configuration: keys not in ``RelayConfiguration/keys`` refused,
/// missing keys defaulted.
struct ConfigReader {
    private let container: KeyedDecodingContainer<AnyCodingKey>

    init(_ decoder: any Decoder, section: String) throws {
        try StrictKeys.refuseUnknown(in: decoder, known: RelayConfiguration.names(under: section))
        container = try decoder.container(keyedBy: AnyCodingKey.self)
    }

    func value<T: Decodable>(_ key: String, default fallback: T) throws -> T {
        try container.decodeIfPresent(T.self, forKey: AnyCodingKey(stringValue: key)) ?? fallback
    }

    func optional<T: Decodable>(_ key: String) throws -> T? {
        try container.decodeIfPresent(T.self, forKey: AnyCodingKey(stringValue: key))
    }

    func invalid(_ key: String, _ reason: String) -> DecodingError {
        DecodingError.dataCorruptedError(
            forKey: AnyCodingKey(stringValue: key), in: container, debugDescription: reason)
    }
}
