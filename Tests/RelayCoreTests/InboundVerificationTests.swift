import Foundation
import RelayCore
import Testing

/// Inbound verification per provider (SPEC §12) against published vectors and vectors made by an
/// independent implementation (Python's `hmac`, the lines beside each).
@Suite struct InboundVerificationTests {
    static func verify(
        _ provider: InboundProvider, _ headers: [String: String], _ body: String, secrets: [String], now: Int64 = 0
    ) -> SignatureVerifier.Result {
        SignatureVerifier.verifyInbound(
            provider, headers: HeaderFields(headers), body: Array(body.utf8), secrets: secrets, now: now)
    }

    @Test func githubsPublishedVector() {
        let signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        let result = Self.verify(
            .github, ["X-Hub-Signature-256": signature], "Hello, World!",
            secrets: ["another secret", "It's a Secret to Everybody"])
        #expect(result.matchedSecret == 1 && result.failure == nil)
        #expect(
            Self.verify(
                .github, ["X-Hub-Signature-256": signature], "Hello, World?", secrets: ["It's a Secret to Everybody"]
            ).matchedSecret == nil)
        #expect(
            Self.verify(.github, [:], "Hello, World!", secrets: ["It's a Secret to Everybody"]).matchedSecret == nil)
    }

    @Test func theStandardWebhooksVector() {
        let headers = [
            "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330",
            "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ]
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let body = #"{"test": 2432232314}"#
        #expect(Self.verify(.standard, headers, body, secrets: [secret], now: 1_614_265_330).matchedSecret == 0)
        let late = Self.verify(.standard, headers, body, secrets: [secret], now: 1_614_265_330 + 301)
        #expect(late.matchedSecret == nil && late.failure?.contains("tolerance") == true)
    }

    // python3: hmac.new(b"bitbucket-secret-1", body, hashlib.sha256).hexdigest()
    static let bitbucketBody =
        #"{"push":{"changes":[]},"repository":{"full_name":"acme/api"},"actor":{"display_name":"Alice"}}"#
    static let bitbucketSignature = "sha256=bde22f50cefdcbb6cfb2fca956d7f484139b63063fd31337e3044035c2442b88"

    @Test func bitbucketSignsWithXHubSignature() {
        let headers = ["X-Hub-Signature": Self.bitbucketSignature]
        #expect(
            Self.verify(.bitbucket, headers, Self.bitbucketBody, secrets: ["bitbucket-secret-1"]).matchedSecret == 0)
        #expect(
            Self.verify(.github, headers, Self.bitbucketBody, secrets: ["bitbucket-secret-1"]).matchedSecret == nil,
            "GitHub's header is X-Hub-Signature-256")
        #expect(
            Self.verify(.bitbucket, headers, Self.bitbucketBody, secrets: ["bitbucket-secret-2"]).matchedSecret == nil)
    }

    // python3: hmac.new(b"jira-secret-1", body, getattr(hashlib, method)).hexdigest()
    static let jiraBody =
        #"{"webhookEvent":"jira:issue_updated","user":{"displayName":"Alice"},"#
        + #""issue":{"self":"https://acme.atlassian.net/rest/api/2/issue/10001"}}"#

    @Test(arguments: [
        "sha256=83bc18b03fdf41f2656c979b5584f349980d4d048ebd6c56a4230fbd02707714",
        "sha384=708d14b777160136b9abc70f997bdc04bfc6fbc5405c16d8ec7ecba74a039e09bae364e78821b04960d254591621d932",
        "sha512=41b61307db53f866c10d8391a806031b3614455d97f0f1f282e4acb21ead15b4"
            + "acf75efc757dab2e8c264a431a5ebe5519c4dea077d2d9ec8a2241fc2729de0b",
    ])
    func jiraNamesItsMethod(signature: String) {
        #expect(
            Self.verify(.jira, ["X-Hub-Signature": signature], Self.jiraBody, secrets: ["jira-secret-1"]).matchedSecret
                == 0)
    }

    @Test func jiraMethodsOutsideTheListAreNeverTaken() {
        let md5 = Self.verify(
            .jira, ["X-Hub-Signature": "md5=0123456789abcdef0123456789abcdef"], Self.jiraBody,
            secrets: ["jira-secret-1"])
        #expect(md5.matchedSecret == nil && md5.failure?.contains("sha256=<hex>") == true)
        let bitbucketWithSHA512 = Self.verify(
            .bitbucket, ["X-Hub-Signature": "sha512=41b61307db53f866c10d8391a806031b3614455d97f0f1f282e4acb21ead15b4"],
            Self.jiraBody, secrets: ["jira-secret-1"])
        #expect(bitbucketWithSHA512.matchedSecret == nil, "Bitbucket signs with sha256 only")
    }

    // python3: base64.b64encode(hmac.new(bytes(range(32)), b"msg_gl_1.1764900000." + body, hashlib.sha256).digest())
    static let gitlabBody =
        #"{"object_kind":"push","user_username":"alice","project":{"path_with_namespace":"acme/api"}}"#
    static let gitlabSigningToken = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

    @Test func gitlabSignsWithItsSigningTokenOrSendsTheSecretToken() {
        let signed = [
            "webhook-id": "msg_gl_1", "webhook-timestamp": "1764900000",
            "webhook-signature": "v1,wYKI3JTVa1yZFpSb69grH2HeKOw8L3BONwNbTD8IBSE=",
        ]
        #expect(
            Self.verify(.gitlab, signed, Self.gitlabBody, secrets: [Self.gitlabSigningToken], now: 1_764_900_010)
                .matchedSecret == 0)
        #expect(
            Self.verify(.gitlab, ["X-Gitlab-Token": "token-2"], Self.gitlabBody, secrets: ["token-1", "token-2"])
                .matchedSecret == 1)
        #expect(
            Self.verify(.gitlab, ["X-Gitlab-Token": "token-"], Self.gitlabBody, secrets: ["token-1"]).matchedSecret
                == nil)
        var forged = signed
        forged["X-Gitlab-Token"] = Self.gitlabSigningToken
        forged["webhook-signature"] = "v1,AAAA"
        #expect(
            Self.verify(.gitlab, forged, Self.gitlabBody, secrets: [Self.gitlabSigningToken], now: 1_764_900_010)
                .matchedSecret == nil,
            "a signature, when present, decides; the token beside it is not taken instead")
    }
}
