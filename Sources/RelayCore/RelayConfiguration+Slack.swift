import Foundation

extension RelayConfiguration {
    /// Slack's `redirect_uri` when "Install using OAuth" is offered (`slack.clientID` set; loading
    /// makes sure there is then a redirect URL), else `nil`.
    public var slackRedirectURI: String? {
        slack.isEnabled ? slack.callbackURL(publicURL: server.publicURL) : nil
    }

    /// `slack:` — the Slack app behind "Install using OAuth" (SPEC §11).
    public struct Slack: Sendable, Equatable, Decodable {
        /// The app's client id; the page offers "Install using OAuth" only when it is set.
        public var clientID: String?
        /// The app's client secret (also `AUDITRELAY_SLACK_CLIENT_SECRET`); never logged.
        public var clientSecret: String?
        /// Where Slack sends the browser back; `<server.publicURL>/ui/slack/callback` when unset.
        public var redirectURL: String?
        /// Slack's authorize page (configurable for a stand-in).
        public var authorizeURL = "https://slack.com/oauth/v2/authorize"
        /// The base of Slack's Web API; `oauth.v2.access` is appended.
        public var apiURL = "https://slack.com/api/"
        /// Hosts an installed webhook's URL may have.
        public var webhookHosts = ["hooks.slack.com"]
        /// What a newly installed Slack webhook receives.
        public var defaultEvents: [EventTypePattern] = []
        /// How long an install's `state` stays valid.
        public var stateTTL = RelayDuration.seconds(600)

        public init() {}

        public init(from decoder: any Decoder) throws {
            let reader = try ConfigReader(decoder, section: "slack")
            do {
                clientID = try reader.optional("clientID")
            } catch DecodingError.typeMismatch {
                throw reader.invalid("clientID", "must be quoted (\"1234.5678\"): unquoted, YAML reads it as a number")
            }
            clientSecret = try reader.optional("clientSecret")
            redirectURL = try reader.optional("redirectURL")
            authorizeURL = try reader.value("authorizeURL", default: authorizeURL)
            apiURL = try reader.value("apiURL", default: apiURL)
            webhookHosts = try reader.value("webhookHosts", default: webhookHosts)
            defaultEvents = try reader.value("defaultEvents", default: defaultEvents)
            stateTTL = try reader.value("stateTTL", default: stateTTL)
            if clientID != nil && (clientSecret ?? "").isEmpty {
                throw reader.invalid(
                    "clientSecret", "is required with slack.clientID (or set AUDITRELAY_SLACK_CLIENT_SECRET)")
            }
            for (key, url) in [("authorizeURL", authorizeURL), ("apiURL", apiURL)] {
                if let problem = DestinationURL.problem(url) { throw reader.invalid(key, problem) }
            }
            if let redirectURL, URL(string: redirectURL)?.scheme == nil || URL(string: redirectURL)?.host == nil {
                throw reader.invalid("redirectURL", "must be an absolute URL")
            }
        }

        /// Whether "Install using OAuth" is offered.
        public var isEnabled: Bool { clientID != nil }

        /// The `redirect_uri`: ``redirectURL``, else `publicURL` + `/ui/slack/callback`.
        public func callbackURL(publicURL: String?) -> String? {
            redirectURL
                ?? publicURL.map { ($0.hasSuffix("/") ? String($0.dropLast()) : $0) + "/ui/slack/callback" }
        }
    }
}
