import Foundation
import RelayCore
import Testing

/// The pure parts of "Install using OAuth" (SPEC §11): the state's rules, the requests, and what
/// Slack's answers mean.
@Suite struct SlackOAuthTests {
    static var slack: RelayConfiguration.Slack {
        var slack = RelayConfiguration.Slack()
        slack.clientID = "1111.2222"
        slack.clientSecret = "s3cret"
        return slack
    }

    @Test func aStateIsGoodOnceForItsSessionUntilItExpires() {
        var states = OAuthStates()
        let state = states.issue(session: "a", now: 1_000, ttl: 600_000)
        #expect(state.count == 43)
        #expect(states.redeem(nil, session: "a", now: 1_001) == .missing)
        #expect(states.redeem("forged", session: "a", now: 1_001) == .unknown)
        #expect(states.redeem(state, session: "b", now: 1_001) == .otherSession)
        #expect(states.redeem(state, session: "a", now: 1_001) == nil)
        #expect(states.redeem(state, session: "a", now: 1_002) == .used)
        let late = states.issue(session: "a", now: 1_000, ttl: 10)
        #expect(states.redeem(late, session: "a", now: 1_010) == .expired)
        #expect(states.issue(session: "a", now: 1_000, ttl: 10) != late)
    }

    @Test func theAuthorizeURLAndTheExchangeCarryWhatSlackExpects() throws {
        let authorize = SlackOAuth.authorizeURL(
            Self.slack, redirectURI: "https://relay.example.com/ui/slack/callback", state: "st+te")
        let items = try #require(URLComponents(string: authorize)?.queryItems)
        #expect(authorize.hasPrefix("https://slack.com/oauth/v2/authorize?"))
        #expect(items.map(\.name) == ["client_id", "scope", "redirect_uri", "state"])
        #expect(
            items.map(\.value) == [
                "1111.2222", "incoming-webhook", "https://relay.example.com/ui/slack/callback", "st+te",
            ])

        let request = SlackOAuth.accessRequest(Self.slack, code: "a b&c", redirectURI: "https://r.example/cb")
        #expect(request.url == "https://slack.com/api/oauth.v2.access")
        #expect(request.header("Authorization") == "Basic " + Data("1111.2222:s3cret".utf8).base64EncodedString())
        #expect(
            String(decoding: request.body, as: UTF8.self) == "code=a+b%26c&redirect_uri=https%3A%2F%2Fr.example%2Fcb")
    }

    static func answer(url: String, configuration: String = "https://acme.slack.com/services/B1") -> [UInt8] {
        let json: [String: Any] = [
            "ok": true, "team": ["id": "T1", "name": "Acme"],
            "incoming_webhook": [
                "channel": "#general", "channel_id": "C1", "configuration_url": configuration, "url": url,
            ],
        ]
        return Array(try! JSONSerialization.data(withJSONObject: json))
    }

    @Test func anApprovalGivesTheURLAndTheMetadataAndRefusalsSayWhy() {
        let good = SlackOAuth.installation(
            status: 200, body: Self.answer(url: "https://hooks.slack.com/services/T1/B1/x"), slack: Self.slack)
        #expect(
            good
                == .success(
                    SlackOAuth.Installed(
                        url: "https://hooks.slack.com/services/T1/B1/x",
                        installation: SlackInstallation(
                            teamID: "T1", teamName: "Acme", channel: "#general", channelID: "C1",
                            configurationURL: "https://acme.slack.com/services/B1"))))
        let refused = SlackOAuth.installation(
            status: 200, body: Array(#"{"ok":false,"error":"invalid_code"}"#.utf8), slack: Self.slack)
        #expect(refused == .failure(.refusedBySlack("invalid_code")))
        #expect(
            SlackOAuth.installation(status: 502, body: Array("<html>".utf8), slack: Self.slack)
                == .failure(.unreadableAnswer(502)))
        #expect(
            SlackOAuth.installation(
                status: 200, body: Self.answer(url: "https://evil.example/services/T1/B1/x"), slack: Self.slack)
                == .failure(.hostNotAllowed("evil.example")))
        guard
            case .failure(.urlRefused) = SlackOAuth.installation(
                status: 200, body: Self.answer(url: "http://hooks.slack.com/services/T1/B1/x"), slack: Self.slack)
        else {
            Issue.record("an http:// webhook URL is refused by the URL rules")
            return
        }
        let scripted = SlackOAuth.installation(
            status: 200,
            body: Self.answer(url: "https://hooks.slack.com/services/T1/B1/x", configuration: "javascript:alert(1)"),
            slack: Self.slack)
        #expect((try? scripted.get())?.installation.configurationURL == "", "only an https link is kept")
        #expect(!SlackOAuth.Failure.hostNotAllowed("evil.example").reason.contains("services"))
    }

    @Test func theWebhookIsNamedForItsChannelAndNumberedWhenTaken() {
        let installation = SlackInstallation(
            teamID: "T1", teamName: "Acme", channel: "general", channelID: "C1", configurationURL: "")
        #expect(installation.webhookName() == "#general (Acme)")
        #expect(installation.webhookName(attempt: 2) == "#general (Acme) 2")
    }
}
