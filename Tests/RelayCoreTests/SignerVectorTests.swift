import Foundation
import Testing

@testable import RelayCore

/// Signatures matched byte for byte against independent implementations.
///
/// How the vectors were made (2026-11-24):
/// - `X-Soteri-Signature` and `X-Hub-Signature-256`: Node.js v20.20.2,
///   `crypto.createHmac('sha256', secret).update(body).digest('base64')` (and `.digest('hex')`).
/// - `webhook-signature`: the `standardwebhooks` Python package 1.1.0 from PyPI,
///   `Webhook(secret).sign(msg_id, datetime.fromtimestamp(1795514400, tz=timezone.utc), body)`;
///   the non-`whsec_` secret with Node, HMAC keyed by its UTF-8 bytes over `id.timestamp.body`.
@Suite struct SignerVectorTests {
    static let login = #"{"type":"user.login","id":"evt-1","actor":"alice"}"#
    static let unicode = #"{"type":"repo.deleted","data":{"name":"münchen","emoji":"🔥","esc":"a\"b\\c\n"}}"#
    static let secrets = ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "plain-secret", "ünïcödé sécret"]
    static let messageID = "msg_01JD5Q3W6M8ZC2T1V9XKQH4RZB"
    static let timestamp: Int64 = 1_795_514_400

    @Test(arguments: [
        (
            login,
            "v5wBETVoq4QGoVjajBpilNiMhYD0KsorQDlO1jL1BSs=,bhTeGf84KK474vpGGdZ5Ryn0XaGY8Ivtpe4mtJY/0f0=,"
                + "y6GYUeHX/ExF9uNeMb0ILeRSHkUsVpG21TgJEA+EBd0=",
            "sha256=bf9c01113568ab8406a158da8c1a6294d88c8580f42aca2b40394ed632f5052b"
        ),
        (
            unicode,
            "KsYal7t3+c1VwdDi3QUZjP/5edDPMu9b9jmOM/ZcnaQ=,0NItJ1JommIw6kn+Bn36tN54NvaW3oy7y/BZuPXqVoY=,"
                + "QPgwP6M84/U0VOpTi1uhZeT3fRECLRCu5SlQFfjd01k=",
            "sha256=2ac61a97bb77f9cd55c1d0e2dd05198cfff979d0cf32ef5bf6398e33f65c9da4"
        ),
        (
            "",
            "2l9YZZhOaZppz+xizkmnba+K5GAbVKeB+hPzstOyCIo=,TCCpzMFoYd1vKfbMLbtxsZ4y/wlow5LT30TjbDhYKPQ=,"
                + "Gv+rHXzY1PORwu6ubRaHFHg8aGiiIAHH3Fljq161xpw=",
            "sha256=da5f5865984e699a69cfec62ce49a76daf8ae4601b54a781fa13f3b2d3b2088a"
        ),
    ])
    func soteriAndHubMatchNode(body: String, soteri: String, hub: String) {
        #expect(Signer.soteriSignature(body: Array(body.utf8), secrets: Self.secrets) == soteri)
        #expect(Signer.hubSignature(body: Array(body.utf8), secret: Self.secrets[0]) == hub)
    }

    @Test(arguments: [
        (login, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "v1,alT8sTr4nsJ8abs3HUcXSpg7NEqnja/ZSwb1EHPq0dQ="),
        (login, "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", "v1,5MRR3AS/1xTwsyexkvKaYrFxqrEslvWXWZTHWgTliq0="),
        (unicode, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "v1,2v7WMcLn/OfGL9dnCKyb3pOPgsRKMbtL4RrV4QbQhqg="),
        (unicode, "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", "v1,F09Fa+qq3/IAC2rV8LvzScQEnd671kvoSlacP038wjk="),
        (login, "plain-secret", "v1,RN580isTyTm7jEJbE1o1OTi88KHiUlqXrogK4cJKh7A="),
    ])
    func standardWebhooksMatchesThePythonPackage(body: String, secret: String, signature: String) {
        let made = Signer.standardSignature(
            messageID: Self.messageID, timestamp: Self.timestamp, body: Array(body.utf8), secrets: [secret])
        #expect(made == signature)
    }

    @Test func severalSecretsAreSpaceSeparatedInOrder() {
        let made = Signer.standardSignature(
            messageID: Self.messageID, timestamp: Self.timestamp, body: Array(Self.login.utf8),
            secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "plain-secret"])
        #expect(
            made == "v1,alT8sTr4nsJ8abs3HUcXSpg7NEqnja/ZSwb1EHPq0dQ= v1,RN580isTyTm7jEJbE1o1OTi88KHiUlqXrogK4cJKh7A=")
    }

    @Test func headersOnlyWithSecretsAndHubOnlyWhenAsked() {
        let body = Array(Self.login.utf8)
        #expect(Signer.headers(body: body, secrets: [], messageID: "m", timestamp: 1, hubSignature: true).isEmpty)
        let plain = Signer.headers(body: body, secrets: Self.secrets, messageID: "m", timestamp: 7, hubSignature: false)
        #expect(plain.map(\.name) == ["X-Soteri-Signature", "webhook-id", "webhook-timestamp", "webhook-signature"])
        #expect(plain[1].value == "m")
        #expect(plain[2].value == "7")
        let hub = Signer.headers(body: body, secrets: Self.secrets, messageID: "m", timestamp: 7, hubSignature: true)
        #expect(hub.suffix(2).map(\.name) == ["X-Hub-Signature-256", "X-Hub-Signature"])
        #expect(hub[hub.count - 1].value == hub[hub.count - 2].value)
    }
}
