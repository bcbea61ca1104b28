import Foundation

/// The OAuth exchange behind Slack's "Install using OAuth" (SPEC §11), as pure functions: the
/// authorize URL, the `oauth.v2.access` request, and what its answer means.
///
/// ```swift
/// let request = SlackOAuth.accessRequest(slack, code: code, redirectURI: callback)
/// switch SlackOAuth.installation(status: 200, body: body, slack: slack) { … }
/// ```
public enum SlackOAuth {
    /// Why an installation did not happen, in words for the page (never the code, the client
    /// secret or the webhook URL).
    public enum Failure: Error, Sendable, Equatable {
        /// The person cancelled on Slack's page (`error=access_denied`) or Slack sent another error.
        case cancelled(String)
        /// Slack answered `ok: false` with this `error` code.
        case refusedBySlack(String)
        /// The answer was not Slack's JSON (HTTP status).
        case unreadableAnswer(Int)
        /// Slack could not be reached (the transport's reason).
        case unreachable(String)
        /// The webhook URL Slack gave is on a host not in `slack.webhookHosts`.
        case hostNotAllowed(String)
        /// The webhook URL Slack gave breaks §3.1.
        case urlRefused(String)

        /// The sentence the page shows.
        public var reason: String {
            switch self {
            case .cancelled(let error):
                error == "access_denied"
                    ? "the installation was cancelled in Slack" : "Slack sent the browser back with the error \(error)"
            case .refusedBySlack(let code): "Slack refused the installation (\(code))"
            case .unreadableAnswer(let status): "Slack's answer could not be read (HTTP \(status))"
            case .unreachable(let why): "Slack could not be reached: \(why)"
            case .hostNotAllowed(let host):
                "the webhook URL Slack gave is on \(host), which is not one of slack.webhookHosts"
            case .urlRefused(let why): "the webhook URL Slack gave is refused: \(why)"
            }
        }
    }

    /// What a successful exchange gives: the incoming-webhook URL and the metadata.
    public struct Installed: Sendable, Equatable {
        public var url: String
        public var installation: SlackInstallation

        public init(url: String, installation: SlackInstallation) {
            self.url = url
            self.installation = installation
        }
    }

    /// Slack's authorize page with the app, the one scope, the redirect and the state.
    public static func authorizeURL(_ slack: RelayConfiguration.Slack, redirectURI: String, state: String) -> String {
        var components = URLComponents(string: slack.authorizeURL) ?? URLComponents()
        components.queryItems =
            (components.queryItems ?? []) + [
                URLQueryItem(name: "client_id", value: slack.clientID ?? ""),
                URLQueryItem(name: "scope", value: "incoming-webhook"),
                URLQueryItem(name: "redirect_uri", value: redirectURI),
                URLQueryItem(name: "state", value: state),
            ]
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.string ?? slack.authorizeURL
    }

    /// `POST <apiURL>oauth.v2.access`: `code` and `redirect_uri` as a form, the client id and
    /// secret as HTTP Basic credentials.
    public static func accessRequest(_ slack: RelayConfiguration.Slack, code: String, redirectURI: String)
        -> OutboundRequest
    {
        let credentials = Data("\(slack.clientID ?? ""):\(slack.clientSecret ?? "")".utf8).base64EncodedString()
        let body = [("code", code), ("redirect_uri", redirectURI)].map {
            "\($0.0)=\(OAuth2ClientCredentials.formEncoded($0.1))"
        }.joined(separator: "&")
        let base = slack.apiURL.hasSuffix("/") ? slack.apiURL : slack.apiURL + "/"
        return OutboundRequest(
            url: base + "oauth.v2.access",
            headers: [
                ("User-Agent", "AuditRelay/\(RelayVersion.current)"),
                ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"),
                ("Authorization", "Basic \(credentials)"),
            ],
            body: Array(body.utf8))
    }

    /// What Slack's answer to `oauth.v2.access` means.
    public static func installation(status: Int, body: [UInt8], slack: RelayConfiguration.Slack) -> Result<
        Installed, Failure
    > {
        guard let answer = try? JSONDecoder().decode(AccessAnswer.self, from: Data(body)) else {
            return .failure(.unreadableAnswer(status))
        }
        guard answer.ok else { return .failure(.refusedBySlack(answer.error ?? "no error code")) }
        guard let team = answer.team, let hook = answer.incoming_webhook else {
            return .failure(.unreadableAnswer(status))
        }
        let destination: DestinationURL
        do {
            destination = try DestinationURL(validating: hook.url)
        } catch {
            return .failure(.urlRefused(error.rawValue))
        }
        guard slack.webhookHosts.contains(where: { $0.lowercased() == destination.host.lowercased() }) else {
            return .failure(.hostNotAllowed(destination.host))
        }
        return .success(
            Installed(
                url: hook.url,
                installation: SlackInstallation(
                    teamID: team.id, teamName: team.name ?? team.id, channel: hook.channel,
                    channelID: hook.channel_id ?? "",
                    configurationURL: hook.configuration_url.flatMap { $0.hasPrefix("https://") ? $0 : nil } ?? "")))
    }

    // swift-format-ignore: AlwaysUseLowerCamelCase
    private struct AccessAnswer: Decodable {
        struct Team: Decodable {
            var id: String
            var name: String?
        }
        struct IncomingWebhook: Decodable {
            var channel: String
            var channel_id: String?
            var configuration_url: String?
            var url: String
        }
        var ok: Bool
        var error: String?
        var team: Team?
        var incoming_webhook: IncomingWebhook?
    }
}
