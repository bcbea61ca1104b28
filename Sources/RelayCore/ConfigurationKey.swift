import Foundation

/// One key of the configuration (SPEC §1): its dotted path, how an environment variable spells
/// its value, an example and what it is for.
///
/// ``RelayConfiguration/keys`` is the one list of them: decoding refuses every key not in it,
/// the loader reads the environment variable of each, and the tests check that
/// `Config/auditrelay.yaml` and docs/configuration.md show exactly these keys.
public struct ConfigurationKey: Sendable, Equatable {
    /// How an environment variable's text becomes the key's value.
    public enum Kind: Sendable, Equatable {
        /// Taken as it is.
        case string
        /// A YAML scalar: a number or a boolean.
        case scalar
        /// Comma-separated, or a YAML flow list (`[a, b]`).
        case list
        /// YAML or JSON.
        case structured
    }

    /// `delivery.proxy.url`
    public let path: String
    public let kind: Kind
    /// A value other than the default, as the file or the environment would spell it.
    public let example: String
    /// What the key is for, in one line.
    public let summary: String

    public init(_ path: String, _ kind: Kind, example: String, _ summary: String) {
        self.path = path
        self.kind = kind
        self.example = example
        self.summary = summary
    }

    /// `AUDITRELAY_` and the upper-snake path: `ingest.maxBodyBytes` → `AUDITRELAY_INGEST_MAX_BODY_BYTES`,
    /// `delivery.trustedCAFile` → `AUDITRELAY_DELIVERY_TRUSTED_CA_FILE`.
    public var environmentName: String {
        "AUDITRELAY_" + path.split(separator: ".").map(Self.upperSnake).joined(separator: "_")
    }

    private static func upperSnake(_ part: Substring) -> String {
        let characters = Array(part)
        var name = ""
        for (index, character) in characters.enumerated() {
            let previous = index > 0 ? characters[index - 1] : nil
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            let startsWord =
                character.isUppercase
                && (previous?.isLowercase == true || previous?.isNumber == true
                    || (previous?.isUppercase == true && next?.isLowercase == true))
            if startsWord { name += "_" }
            name += character.uppercased()
        }
        return name
    }
}

extension RelayConfiguration {
    /// Every key the relay takes, in the order of SPEC §1 and `Config/auditrelay.yaml`.
    public static let keys: [ConfigurationKey] = [
        .init("server.listen", .string, example: "0.0.0.0:9000", "host:port of the HTTP API (ingest, admin, health)"),
        .init(
            "server.publicURL", .string, example: "https://relay.example.com",
            "how others reach this relay (the Slack redirect URL's base)"),
        .init("server.headerTimeout", .string, example: "5s", "a request head not in by then closes the connection"),
        .init("server.idleTimeout", .string, example: "2m", "a kept-alive connection unused this long is closed"),
        .init(
            "server.tls.certificateFile", .string, example: "/etc/auditrelay/server.pem",
            "PEM chain to serve HTTPS with (with keyFile)"),
        .init("server.tls.keyFile", .string, example: "/etc/auditrelay/server.key", "its PEM private key"),
        .init("store.path", .string, example: "/var/lib/auditrelay/relay.sqlite", "the SQLite database file"),
        .init("auth.adminTokens", .list, example: "token-a,token-b", "bearer tokens for the admin API"),
        .init("auth.ingestTokens", .list, example: "token-c", "bearer tokens for POST /v1/events"),
        .init("ingest.maxBodyBytes", .scalar, example: "2097152", "largest request body; 413 above it"),
        .init("ingest.maxEventsPerRequest", .scalar, example: "500", "most events in one request; 413 above it"),
        .init("ingest.maxEventBytes", .scalar, example: "65536", "largest single event; 413 above it"),
        .init("ingest.maxQueuedEvents", .scalar, example: "1000000", "undelivered messages before ingest answers 503"),
        .init("delivery.connectTimeout", .string, example: "2s", "time to connect and finish the TLS handshake"),
        .init("delivery.timeout", .string, example: "30s", "deadline of one whole request"),
        .init("delivery.retrySchedule", .list, example: "[5s, 1m]", "delays before attempts 2, 3, …"),
        .init("delivery.maxAge", .string, example: "24h", "a message older than this expires instead of retrying"),
        .init("delivery.maxRetryAfter", .string, example: "10m", "Retry-After values above this are capped"),
        .init("delivery.concurrencyPerWebhook", .scalar, example: "8", "attempts in flight per webhook"),
        .init("delivery.trustedCAFile", .string, example: "/etc/auditrelay/ca.pem", "extra PEM roots for outbound TLS"),
        .init("delivery.allowPrivateNetworks", .scalar, example: "true", "allow destinations on private networks"),
        .init("delivery.slackRate", .scalar, example: "0.5", "messages a second to one Slack URL, on average"),
        .init("delivery.slackBurst", .scalar, example: "5", "messages to one Slack URL at once before slackRate"),
        .init("delivery.proxy.url", .string, example: "http://proxy.internal:3128", "HTTP proxy for deliveries"),
        .init("delivery.proxy.noProxy", .list, example: "example.com,.internal", "hosts reached without the proxy"),
        .init("delivery.connectionMaxAge", .string, example: "1m", "a kept-alive connection is not reused after this"),
        .init("retention", .string, example: "30d", "how long events and the delivery log are kept"),
        .init(
            "eventTypes", .structured,
            example: #"[{"name": "repo.deleted", "description": "A repository was deleted"}]"#,
            "the event-type catalogue's declared entries"),
        .init(
            "webhooks", .structured,
            example: #"[{"name": "siem", "url": "https://siem.example.com/in", "events": ["*"]}]"#,
            "webhooks applied at start, matched by name"),
        .init("log.level", .string, example: "debug", "one of " + Log.levels.joined(separator: ", ")),
        .init("log.format", .string, example: "json", "text, or json: one object per line on stderr"),
        .init("web.sessionTTL", .string, example: "8h", "a page session ends this long after sign-in"),
        .init("web.idleTimeout", .string, example: "15m", "a page session ends after this long unused"),
        .init(
            "slack.clientID", .string, example: "1234567890.0987654321",
            "the Slack app's client id (enables Install using OAuth)"),
        .init(
            "slack.clientSecret", .string, example: "0123456789abcdef", "the Slack app's client secret (never logged)"),
        .init(
            "slack.redirectURL", .string, example: "https://relay.example.com/ui/slack/callback",
            "where Slack sends people back (default: server.publicURL + /ui/slack/callback)"),
        .init(
            "slack.authorizeURL", .string, example: "https://slack.example.com/oauth/v2/authorize",
            "Slack's authorize page"),
        .init("slack.apiURL", .string, example: "https://slack.example.com/api/", "Slack's Web API (oauth.v2.access)"),
        .init(
            "slack.webhookHosts", .list, example: "hooks.slack.com,hooks.slack-gov.com",
            "hosts a Slack webhook URL may have"),
        .init(
            "slack.defaultEvents", .list, example: "[user.*, repo.deleted]",
            "events a newly installed Slack webhook receives"),
        .init("slack.stateTTL", .string, example: "5m", "how long an install's state is valid"),
        .init(
            "inbound.maxBodyBytes", .scalar, example: "1048576",
            "largest inbound request body, default 25 MiB; 413 above it"),
        .init(
            "inbound.rotationGrace", .string, example: "72h",
            "how long Change secret token keeps accepting the previous secret (default 24h)"),
        .init(
            "inbound.timestampTolerance", .string, example: "2m",
            "how far a Standard Webhooks webhook-timestamp may be from now (default 5m)"),
    ]

    /// The names of the keys directly under `section` (`""` for the top level), in table order.
    static func names(under section: String) -> [String] {
        let prefix = section.isEmpty ? "" : section + "."
        var names: [String] = []
        for key in keys where key.path.hasPrefix(prefix) {
            let name = String(key.path.dropFirst(prefix.count).split(separator: ".")[0])
            if !names.contains(name) { names.append(name) }
        }
        return names
    }
}
