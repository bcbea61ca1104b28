import Hummingbird
import RelayCore
import RelayServer

/// Slack's "Install using OAuth" (SPEC §11): `/ui/slack/install` sends the browser to Slack with a
/// state bound to the session; Slack sends it back to `/ui/slack/callback`, which hands over to
/// `/ui/slack/finish`; that checks the state, exchanges the code through the delivery transport
/// and creates the Slack webhook, or says in plain words why not.
extension SettingsPage {
    func registerSlack(on page: RouterGroup<RelayRequestContext>, admin: AdminOperations) {
        page.get("slack/install") { request, _ in
            guard let session = session(request) else { return Self.redirect(to: "/ui/") }
            let configuration = admin.configuration
            guard let callback = configuration.slackRedirectURI else { return notConfigured(session) }
            let state = sessions.issueInstallState(
                for: session.id, now: WallClock.nowMillis(), ttl: configuration.slack.stateTTL.milliseconds)
            let authorize = SlackOAuth.authorizeURL(configuration.slack, redirectURI: callback, state: state)
            return Response(status: .found, headers: [.location: authorize])
        }
        // Slack sends the browser here from its own site, so the SameSite=Strict session cookie
        // does not come; the page answered here moves on to /ui/slack/finish from this origin,
        // where it does.
        page.get("slack/callback") { request, _ in
            let next = "/ui/slack/finish" + (request.uri.query.map { "?\($0)" } ?? "")
            return html(templates.render("slack-return", SlackReturnView(next: next)))
        }
        page.get("slack/finish") { request, context in
            guard let session = session(request) else { return Self.redirect(to: "/ui/") }
            guard let callback = admin.configuration.slackRedirectURI else { return notConfigured(session) }
            let origin = origin(session, context)
            switch await install(request.uri.queryParameters, by: origin, session, callback: callback, admin: admin) {
            case .success(let webhook):
                let channel = webhook.slack??.channel ?? webhook.name
                let next =
                    webhook.enabled
                    ? "events go to \(channel). Choose its events here."
                    : "it is disabled until you choose its events here and resume it."
                sessions.setNotice("Slack webhook “\(webhook.name)” installed: \(next)", for: session.id)
                return Self.redirect(to: "/ui/webhooks/\(webhook.id)")
            case .failure(let failure):
                sessions.setNotice("Slack was not installed: \(failure.reason).", for: session.id)
                return Self.redirect(to: "/ui/")
            }
        }
    }

    private func notConfigured(_ session: WebSession) -> Response {
        sessions.setNotice(
            "“Install using OAuth” needs slack.clientID and slack.clientSecret in the configuration.", for: session.id)
        return Self.redirect(to: "/ui/")
    }

    /// The install's last step: the state, Slack's own error, the exchange, the webhook.
    private func install(
        _ query: Parameters, by origin: ChangeOrigin, _ session: WebSession, callback: String, admin: AdminOperations
    ) async -> Result<WebhookResource, NotInstalled> {
        let configuration = admin.configuration
        let state = query["state"].map(String.init)
        if let refusal = sessions.redeemInstallState(state, for: session.id, now: WallClock.nowMillis()) {
            return .failure(NotInstalled(refusal.rawValue))
        }
        if let error = query["error"] {
            return .failure(NotInstalled(SlackOAuth.Failure.cancelled(String(error)).reason))
        }
        guard let code = query["code"], !code.isEmpty else { return .failure(NotInstalled("Slack sent no code")) }
        let answer = await admin.exchange(
            SlackOAuth.accessRequest(configuration.slack, code: String(code), redirectURI: callback))
        let installed: Result<SlackOAuth.Installed, SlackOAuth.Failure> =
            switch answer {
            case .http(let status, _, let body):
                SlackOAuth.installation(status: status, body: body, slack: configuration.slack)
            case .transportFailure(let failure): .failure(.unreachable(failure.message))
            }
        switch installed {
        case .failure(let failure): return .failure(NotInstalled(failure.reason))
        case .success(let installed):
            do {
                return .success(
                    try await admin.installSlackWebhook(
                        installed, events: configuration.slack.defaultEvents, by: origin))
            } catch let problem as RelayProblem {
                return .failure(NotInstalled("the webhook could not be created (\(problem.detail))"))
            } catch {
                return .failure(NotInstalled("the webhook could not be stored"))
            }
        }
    }
}

/// Why an install did not happen, in the words the page shows.
struct NotInstalled: Error {
    let reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}
