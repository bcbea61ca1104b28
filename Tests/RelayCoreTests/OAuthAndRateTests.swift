import Foundation
import RelayCore
import Testing

/// OAuth 2.0 client credentials for the Logs Ingestion API (token answers, the token request), the Slack token
/// bucket, the API rules for `splunk`, `batch` and `auth`, and the headers of batched and OAuth requests.
@Suite("OAuth, rate limits and batch requests")
struct OAuthAndRateTests {
    private static let tokenURL =
        "https://login.microsoftonline.com/72f988bf-0000-0000-0000-2d7cd011db47/oauth2/v2.0/token"
    private static let scope = "https://monitor.azure.com//.default"
    private static let accessToken =
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL21vbml0b3IifQ.c2lnbmF0dXJl"

    private static func credentials(secret: String = "s3cret~value", scope: String? = scope)
        -> OAuth2ClientCredentials
    {
        OAuth2ClientCredentials(
            tokenURL: tokenURL, clientID: "00000000-0000-0000-0000-000000000000", clientSecret: secret, scope: scope)
    }

    private static func parse(_ status: Int, _ body: String) -> Result<AccessToken, TokenFailure> {
        AccessToken.parse(status: status, body: Array(body.utf8), now: Fixture.now)
    }

    /// The fields of an `application/x-www-form-urlencoded` body, decoded.
    private static func formFields(_ body: [UInt8]) throws -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            try #require(parts.count == 2)
            let name = parts[0].replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            let value = parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            fields.append((name: try #require(name), value: try #require(value)))
        }
        return fields
    }

    // MARK: AccessToken.parse

    @Test("The Microsoft identity platform's token answer is used until a fifth of its life, at most 5 min, is left")
    func microsoftTokenAnswer() {
        let body = #"""
            {"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"\#(Self.accessToken)"}
            """#
        let result = Self.parse(200, body)
        let expected = AccessToken(value: Self.accessToken, refreshAt: Fixture.now + 3_599_000 - 300_000)
        #expect(result == .success(expected))
        #expect(!expected.isStale(at: expected.refreshAt - 1))
        #expect(expected.isStale(at: expected.refreshAt))
    }

    @Test("A short-lived token is refreshed a fifth of its life early; no expires_in means an hour")
    func shortLifetime() {
        let short = Self.parse(200, #"{"token_type":"Bearer","expires_in":10,"access_token":"abc"}"#)
        #expect(short == .success(AccessToken(value: "abc", refreshAt: Fixture.now + 8000)))
        let lowercase = Self.parse(200, #"{"token_type":"bearer","access_token":"abc"}"#)
        #expect(lowercase == .success(AccessToken(value: "abc", refreshAt: Fixture.now + 3_300_000)))
    }

    @Test("A refusal from the token endpoint names the OAuth error code, not its description")
    func invalidClient() {
        let body = #"""
            {"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. \#
            Ensure the secret being sent in the request is the client secret value.","error_codes":[7000215]}
            """#
        guard case .failure(.refused(let message)) = Self.parse(400, body) else {
            Issue.record("a 400 invalid_client must pause the webhook")
            return
        }
        #expect(message.contains("invalid_client"))
        #expect(message.contains("400"))
        #expect(!message.contains("AADSTS7000215"))
    }

    @Test("Other 4xx answers are refusals", arguments: [401, 403, 404, 400])
    func clientErrorsAreRefusals(status: Int) {
        guard case .failure(.refused(let message)) = Self.parse(status, "") else {
            Issue.record("HTTP \(status) from the token endpoint must be a refusal")
            return
        }
        #expect(message.contains("HTTP \(status)"))
    }

    @Test("Busy and server errors are retried", arguments: [408, 425, 429, 500, 502, 503, 504])
    func serverErrorsAreRetried(status: Int) {
        let result = Self.parse(status, #"{"error":"temporarily_unavailable"}"#)
        #expect(result == .failure(.retry("the token endpoint answered HTTP \(status)")))
    }

    @Test(
        "A 2xx without a usable bearer token is retried",
        arguments: [
            #"{"token_type":"Bearer","expires_in":3599}"#, #"{"token_type":"Bearer","access_token":""}"#,
            #"{"token_type":"mac","access_token":"abc"}"#, "<html>ok</html>", "",
        ])
    func unusableTokenIsRetried(body: String) {
        guard case .failure(.retry) = Self.parse(200, body) else {
            Issue.record("\(body) must be retried")
            return
        }
    }

    @Test("A failure's message never carries the access token")
    func messageHasNoToken() {
        let answers: [(Int, String)] = [
            (200, #"{"token_type":"pop","access_token":"\#(Self.accessToken)"}"#),
            (400, #"{"error":"invalid_request","access_token":"\#(Self.accessToken)"}"#),
            (503, #"{"access_token":"\#(Self.accessToken)"}"#),
        ]
        for (status, body) in answers {
            guard case .failure(let failure) = Self.parse(status, body) else {
                Issue.record("HTTP \(status) \(body) must fail")
                continue
            }
            #expect(!failure.message.isEmpty)
            #expect(!failure.message.contains(Self.accessToken))
            #expect(!failure.message.contains("eyJ0eXAi"))
        }
    }

    // MARK: The token request

    @Test("The token request posts grant_type, client_id, client_secret and scope as a form")
    func tokenRequest() throws {
        let request = Self.credentials().tokenRequest()
        #expect(request.url == Self.tokenURL)
        #expect(request.header("Content-Type") == "application/x-www-form-urlencoded")
        #expect(request.header("Accept") == "application/json")
        #expect(request.header("Authorization") == nil)
        let fields = try Self.formFields(request.body)
        #expect(fields.map(\.name) == ["grant_type", "client_id", "client_secret", "scope"])
        let values = ["client_credentials", "00000000-0000-0000-0000-000000000000", "s3cret~value", Self.scope]
        #expect(fields.map(\.value) == values)
        let text = String(decoding: request.body, as: UTF8.self)
        #expect(text.hasPrefix("grant_type=client_credentials&client_id=00000000-0000-0000-0000-000000000000&"))
        #expect(text.hasSuffix("&scope=https%3A%2F%2Fmonitor.azure.com%2F%2F.default"))
        let unscoped = try Self.formFields(Self.credentials(scope: nil).tokenRequest().body)
        #expect(unscoped.map(\.name) == ["grant_type", "client_id", "client_secret"])
    }

    @Test("A secret with form delimiters, spaces and non-ASCII round-trips through the form encoding")
    func secretRoundTrips() throws {
        let secret = "a+b&c=d ~e/f%20é*-._"
        let request = Self.credentials(secret: secret).tokenRequest()
        let text = String(decoding: request.body, as: UTF8.self)
        #expect(text.contains("&client_secret=a%2Bb%26c%3Dd+%7Ee%2Ff%2520%C3%A9*-._&"))
        let fields = try Self.formFields(request.body)
        #expect(fields.first { $0.name == "client_secret" }?.value == secret)
        #expect(fields.count == 4)
    }

    @Test("The fingerprint changes with any credential and never shows the secret")
    func fingerprint() {
        let base = Self.credentials()
        #expect(base.fingerprint == Self.credentials().fingerprint)
        #expect(base.fingerprint != Self.credentials(secret: "s3cret~valuf").fingerprint)
        #expect(base.fingerprint != Self.credentials(scope: "api://other/.default").fingerprint)
        var moved = base
        moved.tokenURL = "https://login.example.com/token"
        #expect(base.fingerprint != moved.fingerprint)
        let split = OAuth2ClientCredentials(tokenURL: Self.tokenURL, clientID: "ab", clientSecret: "c")
        let joined = OAuth2ClientCredentials(tokenURL: Self.tokenURL, clientID: "a", clientSecret: "bc")
        #expect(split.fingerprint != joined.fingerprint)
        #expect(base.fingerprint.count == 64)
        #expect(!base.fingerprint.contains("s3cret"))
    }

    // MARK: TokenBucket

    @Test("A full bucket gives its burst, then one token a second")
    func burstThenRate() {
        let start = Fixture.now
        var bucket = TokenBucket(ratePerSecond: 1, burst: 3, now: start)
        #expect(bucket.take(upTo: 5, now: start) == 3)
        #expect(bucket.take(upTo: 1, now: start) == 0)
        #expect(bucket.nextTokenAt(now: start) == start + 1000)
        #expect(bucket.take(upTo: 1, now: start + 999) == 0)
        #expect(bucket.take(upTo: 5, now: start + 1000) == 1)
        #expect(bucket.take(upTo: 5, now: start + 2500) == 1)
        #expect(bucket.nextTokenAt(now: start + 2500) == start + 3000)
    }

    @Test("Tokens given back can be taken again, never beyond the burst")
    func giveBack() {
        var bucket = TokenBucket(ratePerSecond: 1, burst: 3, now: 0)
        #expect(bucket.take(upTo: 3, now: 0) == 3)
        bucket.giveBack(2, now: 0)
        #expect(bucket.nextTokenAt(now: 0) == 0)
        #expect(bucket.take(upTo: 5, now: 0) == 2)
        bucket.giveBack(10, now: 0)
        #expect(bucket.take(upTo: 5, now: 0) == 3)
        bucket.giveBack(-4, now: 0)
        #expect(bucket.take(upTo: 1, now: 0) == 0)
    }

    @Test("A long idle spell refills to the burst, no more")
    func longIdle() {
        var bucket = TokenBucket(ratePerSecond: 1, burst: 3, now: 0)
        #expect(bucket.take(upTo: 3, now: 0) == 3)
        #expect(bucket.take(upTo: 100, now: 86_400_000) == 3)
        #expect(bucket.take(upTo: 1, now: 86_400_000) == 0)
    }

    @Test("A clock set back keeps refilling from the new time instead of waiting for the old one")
    func clockSetBack() {
        var bucket = TokenBucket(ratePerSecond: 1, burst: 3, now: 100_000)
        #expect(bucket.take(upTo: 3, now: 100_000) == 3)
        #expect(bucket.take(upTo: 1, now: 40_000) == 0)
        #expect(bucket.nextTokenAt(now: 40_000) == 41_000)
        #expect(bucket.take(upTo: 5, now: 42_000) == 2)
    }

    @Test("A caller a moment behind another neither refills early nor makes the next refill count twice")
    func callersOutOfOrder() {
        var bucket = TokenBucket(ratePerSecond: 1, burst: 3, now: 0)
        #expect(bucket.take(upTo: 3, now: 0) == 3)
        #expect(bucket.take(upTo: 1, now: 1_500) == 1)
        bucket.giveBack(0, now: 1_000)  // a lane that read the clock earlier
        #expect(bucket.take(upTo: 1, now: 1_900) == 0, "only 0.4 s has passed since the last refill")
        #expect(bucket.take(upTo: 1, now: 2_500) == 1)
    }

    @Test("hold(until:) sends nothing before then and starts again from an empty bucket")
    func hold() {
        var bucket = TokenBucket(ratePerSecond: 1, burst: 3, now: 0)
        bucket.hold(until: 10_000)
        #expect(bucket.take(upTo: 1, now: 0) == 0)
        #expect(bucket.take(upTo: 1, now: 9_999) == 0)
        #expect(bucket.nextTokenAt(now: 5_000) >= 10_000)
        bucket.hold(until: 4_000)
        #expect(bucket.take(upTo: 1, now: 6_000) == 0, "an earlier hold does not shorten the current one")
        #expect(bucket.take(upTo: 5, now: 12_000) == 2)
    }

    @Test("A take at nextTokenAt gets a token: after a burst, at a slow rate, and after a hold")
    func nextTokenAtIsKept() {
        var drained = TokenBucket(ratePerSecond: 1, burst: 3, now: 0)
        _ = drained.take(upTo: 3, now: 0)
        var slow = TokenBucket(ratePerSecond: 3, burst: 1, now: 0)
        _ = slow.take(upTo: 1, now: 200)
        var held = TokenBucket(ratePerSecond: 1, burst: 3, now: 0)
        held.hold(until: 10_000)
        var buckets = [("drained", drained), ("3/s", slow), ("held", held)]
        for index in buckets.indices {
            let at = buckets[index].1.nextTokenAt(now: 500)
            #expect(buckets[index].1.take(upTo: 1, now: at) == 1, "\(buckets[index].0): nextTokenAt said \(at)")
        }
    }

    // MARK: API rules for splunk, batch and auth

    private static let authJSON =
        #""auth":{"type":"oauth2-client-credentials","tokenUrl":"\#(tokenURL)","#
        + #""clientId":"00000000-0000-0000-0000-000000000000","clientSecret":"s3cret~value","scope":"\#(scope)"}"#

    private static func custom(_ members: String) -> String {
        #"{"name":"dest","url":"https://collector.example.com/in","events":["*"]"#
            + (members.isEmpty ? "" : "," + members) + "}"
    }

    private static func create(_ text: String) throws -> WebhookSpec {
        try WebhookInput.create(from: try JSONValue.object(from: Array(text.utf8)))
    }

    private static func createProblem(_ text: String) throws -> RelayProblem {
        let json = try JSONValue.object(from: Array(text.utf8))
        return try #require(throws: RelayProblem.self) { try WebhookInput.create(from: json) }
    }

    private static func sentinelWebhook(auth: OAuth2ClientCredentials? = credentials()) throws -> Webhook {
        Webhook(
            id: "wh_1", name: "sentinel", kind: .custom,
            url: "https://dce-1.eastus-1.ingest.monitor.azure.com/dataCollectionRules/dcr-0/streams/Custom-Audit_CL",
            events: [try EventTypePattern(parsing: "*")], format: .sentinel, batch: BatchSettings(), auth: auth,
            createdAt: 0, updatedAt: 0)
    }

    private static func update(_ webhook: Webhook, _ text: String) throws -> WebhookSpec {
        try WebhookInput.update(webhook, with: try JSONValue.object(from: Array(text.utf8)))
    }

    @Test("splunk, batch and auth are read from a create request")
    func createReadsNewFields() throws {
        let splunk = try Self.create(
            Self.custom(
                #""format":"splunk-hec","splunk":{"sourcetype":"acme:audit","index":"security"},"#
                    + #""batch":{"maxEvents":50,"maxWait":"500ms"}"#))
        #expect(splunk.splunk == SplunkFields(sourcetype: "acme:audit", index: "security"))
        #expect(splunk.splunk?.source == "auditrelay")
        #expect(splunk.batch == BatchSettings(maxEvents: 50, maxBytes: 1_000_000, maxWait: .init(milliseconds: 500)))
        let sentinel = try Self.create(Self.custom(#""format":"sentinel","batch":{"maxWait":2},"# + Self.authJSON))
        #expect(sentinel.auth == Self.credentials())
        #expect(sentinel.batch?.maxWait.milliseconds == 2000)
        #expect(sentinel.problems().isEmpty)
    }

    @Test("splunk applies to format splunk-hec only", arguments: [#""format":"json","#, #""format":"sentinel","#, ""])
    func splunkNeedsSplunkFormat(format: String) throws {
        let problem = try Self.createProblem(Self.custom(format + #""splunk":{"index":"main"}"#))
        #expect(problem.status == 422)
        #expect(problem.errors == [FieldError(field: "splunk", reason: "applies to format splunk-hec only")])
    }

    @Test("splunk fields are one line of 1 to 1024 characters")
    func splunkFieldRules() throws {
        let problem = try Self.createProblem(
            Self.custom(#""format":"splunk-hec","splunk":{"index":"","sourcetype":"a\nb","host":"ok"}"#))
        #expect(Set(problem.errors.map(\.field)) == ["splunk.index", "splunk.sourcetype"])
    }

    @Test("A Slack webhook refuses splunk, batch and auth")
    func slackRefusesCustomFields() throws {
        let text =
            #"{"kind":"slack","url":"https://hooks.slack.com/services/T0001/B0001/XXXXXXXX","events":["*"],"#
            + #""splunk":{},"batch":{},"# + Self.authJSON + "}"
        let problem = try Self.createProblem(text)
        #expect(Set(problem.errors.map(\.field)) == ["splunk", "batch", "auth"])
        #expect(problem.errors.allSatisfy { $0.reason == "applies to custom webhooks only" })
    }

    @Test("auth and authorization are not allowed together")
    func authOrAuthorization() throws {
        let problem = try Self.createProblem(Self.custom(#""authorization":"Bearer abc","# + Self.authJSON))
        #expect(problem.errors.map(\.field) == ["auth"])
        #expect(problem.errors.first?.reason.contains("not both") == true)
        #expect(try Self.create(Self.custom(Self.authJSON)).auth != nil)
    }

    @Test(
        "auth.tokenUrl follows the destination URL rules",
        arguments: [
            "http://login.microsoftonline.com/t/oauth2/v2.0/token", "https://10.0.0.1/token",
            "https://user:pw@login.example.com/token", "https://[::1]/token", "login.example.com/token",
        ])
    func tokenURLRules(url: String) throws {
        let auth = #""auth":{"# + Self.oauthType + #","tokenUrl":"\#(url)","clientId":"c","clientSecret":"s"}"#
        let problem = try Self.createProblem(Self.custom(auth))
        let reason = try #require(DestinationURL.problem(url))
        #expect(problem.errors == [FieldError(field: "auth.tokenUrl", reason: reason)])
    }

    /// `auth` objects with one thing wrong, as member lists, and the field each is refused under.
    static let badAuths: [([String], String)] = [
        (
            [#""type":"basic""#, #""tokenUrl":"https://a.example.com/t""#, #""clientId":"c""#, #""clientSecret":"s""#],
            "auth.type"
        ),
        ([#""tokenUrl":"https://a.example.com/t""#, #""clientId":"c""#, #""clientSecret":"s""#], "auth.type"),
        ([oauthType, #""tokenUrl":"https://a.example.com/t""#, #""clientSecret":"s""#], "auth.clientId"),
        ([oauthType, #""tokenUrl":"https://a.example.com/t""#, #""clientId":"c""#], "auth.clientSecret"),
        ([oauthType, #""clientId":"c""#, #""clientSecret":"s""#], "auth.tokenUrl"),
        (
            [oauthType, #""tokenUrl":"https://a.example.com/t""#, #""clientId":"c""#, #""clientSecret":"""#],
            "auth.clientSecret"
        ),
        (
            [oauthType, #""tokenUrl":"https://a.example.com/t""#, #""clientId":7"#, #""clientSecret":"s""#],
            "auth.clientId"
        ),
        (
            [
                oauthType, #""tokenUrl":"https://a.example.com/t""#, #""clientId":"c""#, #""clientSecret":"s""#,
                #""tenant":"x""#,
            ], "auth"
        ),
    ]
    static let oauthType = #""type":"oauth2-client-credentials""#

    @Test("auth members are checked one by one", arguments: badAuths)
    func authMembers(members: [String], field: String) throws {
        let auth = "{" + members.joined(separator: ",") + "}"
        let problem = try Self.createProblem(Self.custom(#""auth":"# + auth))
        #expect(problem.status == 422)
        #expect(problem.errors.map(\.field) == [field], "\(auth)")
    }

    @Test("auth must be an object or null")
    func authMustBeObject() throws {
        let problem = try Self.createProblem(Self.custom(#""auth":"oauth2""#))
        #expect(problem.errors == [FieldError(field: "auth", reason: "must be an object or null")])
    }

    @Test(
        "batch members are checked one by one",
        arguments: [
            (#"{"maxEvents":0}"#, "batch.maxEvents"), (#"{"maxEvents":10001}"#, "batch.maxEvents"),
            (#"{"maxEvents":"100"}"#, "batch.maxEvents"), (#"{"maxBytes":1023}"#, "batch.maxBytes"),
            (#"{"maxBytes":104857601}"#, "batch.maxBytes"), (#"{"maxWait":"6m"}"#, "batch.maxWait"),
            (#"{"maxWait":"soon"}"#, "batch.maxWait"), (#"{"maxEvents":5,"maxevents":5}"#, "batch"),
            ("5", "batch"), ("[]", "batch"),
        ] as [(String, String)])
    func batchMembers(batch: String, field: String) throws {
        let problem = try Self.createProblem(Self.custom(#""batch":"# + batch))
        #expect(problem.status == 422)
        #expect(problem.errors.map(\.field) == [field])
    }

    @Test("batch limits at their edges are accepted")
    func batchEdges() throws {
        let edges = #""batch":{"maxEvents":10000,"maxBytes":1024,"maxWait":"5m"}"#
        let expected = BatchSettings(maxEvents: 10_000, maxBytes: 1024, maxWait: .init(milliseconds: 300_000))
        #expect(try Self.create(Self.custom(edges)).batch == expected)
        #expect(try Self.create(Self.custom(#""batch":{"maxEvents":1,"maxWait":0}"#)).batch?.maxEvents == 1)
    }

    @Test("A sentinel batch is at most 1 MB; other formats may be larger")
    func sentinelByteLimit() throws {
        let over = #""batch":{"maxBytes":1000001}"#
        let problem = try Self.createProblem(Self.custom(#""format":"sentinel","# + over))
        #expect(problem.errors.map(\.field) == ["batch.maxBytes"])
        #expect(problem.errors.first?.reason.contains("1 MB") == true)
        #expect(try Self.create(Self.custom(#""format":"json","# + over)).batch?.maxBytes == 1_000_001)
        #expect(try Self.create(Self.custom(#""format":"sentinel","batch":{"maxBytes":1000000}"#)).batch != nil)
    }

    @Test("PATCH auth with a new tokenUrl needs the client secret again")
    func patchNewTokenURLNeedsTheSecret() throws {
        let webhook = try Self.sentinelWebhook()
        let problem = try #require(throws: RelayProblem.self) {
            try Self.update(webhook, #"{"auth":{"tokenUrl":"https://attacker.example.com/token"}}"#)
        }
        #expect(problem.errors == [FieldError(field: "auth.clientSecret", reason: "is required")])
    }

    @Test("PATCH auth keeps the members it leaves out, the client secret included")
    func patchKeepsClientSecret() throws {
        let webhook = try Self.sentinelWebhook()
        let auth = #"{"auth":{"clientId":"new-client"}}"#
        let spec = try Self.update(webhook, auth)
        #expect(spec.auth?.clientID == "new-client")
        #expect(spec.auth?.clientSecret == "s3cret~value")
        #expect(spec.auth?.tokenURL == webhook.auth?.tokenURL)
        #expect(spec.auth?.scope == webhook.auth?.scope)
        #expect(spec.auth?.scope != nil)
        let replaced = try Self.update(
            webhook,
            #"{"auth":{"type":"oauth2-client-credentials","tokenUrl":"\#(Self.tokenURL)","clientId":"c","#
                + #""clientSecret":"rotated"}}"#)
        #expect(replaced.auth?.clientSecret == "rotated")
    }

    @Test("PATCH auth without clientSecret on a webhook without auth asks for it")
    func patchNeedsSecretForNewAuth() throws {
        let webhook = try Self.sentinelWebhook(auth: nil)
        let text = #"{"auth":{"# + Self.oauthType + #","tokenUrl":"\#(Self.tokenURL)","clientId":"c"}}"#
        let json = try JSONValue.object(from: Array(text.utf8))
        let problem = try #require(throws: RelayProblem.self) { try WebhookInput.update(webhook, with: json) }
        #expect(problem.errors == [FieldError(field: "auth.clientSecret", reason: "is required")])
    }

    @Test("PATCH with null clears batch, auth and splunk; leaving them out keeps them")
    func patchNullClears() throws {
        let webhook = try Self.sentinelWebhook()
        let kept = try Self.update(webhook, #"{"name":"renamed"}"#)
        #expect(kept.batch == BatchSettings())
        #expect(kept.auth == Self.credentials())
        let cleared = try Self.update(webhook, #"{"batch":null,"auth":null}"#)
        #expect(cleared.batch == nil)
        #expect(cleared.auth == nil)
        #expect(cleared.name == "sentinel")
        var splunk = webhook
        splunk.format = .splunkHEC
        splunk.auth = nil
        splunk.splunk = SplunkFields(index: "main")
        let problem = try #require(throws: RelayProblem.self) {
            try WebhookInput.update(splunk, with: try JSONValue.object(from: Array(#"{"format":"json"}"#.utf8)))
        }
        #expect(problem.errors.map(\.field) == ["splunk"])
        let json = try Self.update(splunk, #"{"format":"json","splunk":null}"#)
        #expect(json.splunk == nil)
        #expect(json.format == .json)
    }

    // MARK: Batched and OAuth requests

    private static func envelope(_ index: Int, type: String = "user.login", attempt: Int = 1) -> MessageEnvelope {
        let body = Data(#"{"n":\#(index)}"#.utf8)
        let event = AuditEvent(id: "evt_\(index)", type: type, occurredAt: Fixture.now + Int64(index), body: body)
        return MessageEnvelope(messageID: "msg_\(index)", sequence: Int64(40 + index), attempt: attempt, event: event)
    }

    private static func customWebhook(
        format: MessageFormat = .ndjson, authorization: String? = nil, batch: BatchSettings? = BatchSettings()
    ) -> Webhook {
        Webhook(
            id: "wh_1", name: "siem", kind: .custom, url: "https://siem.example.com/in", events: [], format: format,
            secrets: ["first-secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"], authorization: authorization,
            batch: batch, createdAt: 0, updatedAt: 0)
    }

    private static func request(_ envelopes: [MessageEnvelope], to webhook: Webhook, bearerToken: String? = nil)
        -> OutboundRequest
    {
        let layout = MessageLayout(for: webhook)
        let pieces = envelopes.map { layout.piece($0.event) }
        return OutboundRequest.make(
            envelopes, body: layout.join(pieces[...]), to: webhook, timestamp: 1_748_779_200, bearerToken: bearerToken)
    }

    @Test("A batch request says its size, carries a bat_ webhook-id and is signed as one body")
    func batchHeaders() throws {
        let webhook = Self.customWebhook()
        let envelopes = [Self.envelope(0), Self.envelope(1, type: "repo.push", attempt: 3), Self.envelope(2)]
        let request = Self.request(envelopes, to: webhook)
        #expect(request.header("X-AuditRelay-Batch-Size") == "3")
        #expect(request.header("X-AuditRelay-Sequence") == "40")
        #expect(request.header("X-AuditRelay-Attempt") == "3")
        #expect(request.header("X-AuditRelay-Event-Type") == "mixed")
        #expect(request.header("X-AuditRelay-Event-Id") == nil)
        #expect(request.header("X-AuditRelay-Message-Id") == nil)
        #expect(request.header("Content-Type") == "application/x-ndjson")
        let id = try #require(request.header("webhook-id"))
        #expect(id.hasPrefix("bat_"))
        #expect(id.count == 30)
        let soteri = Signer.soteriSignature(body: request.body, secrets: webhook.secrets)
        #expect(request.header("X-Soteri-Signature") == soteri)
        #expect(
            request.header("webhook-signature")
                == Signer.standardSignature(
                    messageID: id, timestamp: 1_748_779_200, body: request.body, secrets: webhook.secrets))
        var again = envelopes
        for index in again.indices { again[index].attempt += 1 }
        let retried = Self.request(again, to: webhook)
        #expect(retried.header("X-AuditRelay-Attempt") == "4")
        #expect(retried.header("webhook-id") == id)
        let smaller = Self.request(Array(envelopes.prefix(2)), to: webhook)
        #expect(smaller.header("webhook-id") != id)
        #expect(smaller.header("webhook-id")?.hasPrefix("bat_") == true)
        #expect(smaller.header("X-AuditRelay-Event-Type") == "mixed")
        let sameType = Self.request([Self.envelope(0), Self.envelope(2)], to: webhook)
        #expect(sameType.header("X-AuditRelay-Event-Type") == "user.login")
    }

    @Test("One message of a batching webhook keeps its message id; without batch there is no size header")
    func singleMessageHeaders() {
        let one = Self.request([Self.envelope(0)], to: Self.customWebhook())
        #expect(one.header("X-AuditRelay-Batch-Size") == "1")
        #expect(one.header("webhook-id") == "msg_0")
        #expect(one.header("X-AuditRelay-Message-Id") == "msg_0")
        #expect(one.header("X-AuditRelay-Event-Id") == "evt_0")
        let unbatched = Self.request([Self.envelope(0)], to: Self.customWebhook(format: .json, batch: nil))
        #expect(unbatched.header("X-AuditRelay-Batch-Size") == nil)
        #expect(unbatched.body == Array(#"{"n":0}"#.utf8))
    }

    @Test("An OAuth webhook sends its token as a bearer Authorization, once, instead of a static one")
    func bearerToken() {
        let plain = Self.request([Self.envelope(0)], to: Self.customWebhook(), bearerToken: "tok-123")
        #expect(plain.header("Authorization") == "Bearer tok-123")
        let both = Self.request(
            [Self.envelope(0)], to: Self.customWebhook(authorization: "Splunk abc"), bearerToken: "tok-123")
        #expect(both.header("Authorization") == "Bearer tok-123")
        #expect(both.headers.filter { $0.name.lowercased() == "authorization" }.count == 1)
        let none = Self.request([Self.envelope(0)], to: Self.customWebhook())
        #expect(none.header("Authorization") == nil)
    }

    @Test("A Slack webhook never gets signatures or Authorization, not even a bearer token")
    func slackGetsNoCredentials() {
        let slack = Webhook(
            id: "wh_2", name: "slack", kind: .slack, url: "https://hooks.slack.com/services/T0001/B0001/XXXXXXXX",
            events: [], secrets: ["first-secret"], authorization: "Bearer static", hubSignature: true,
            auth: Self.credentials(), createdAt: 0, updatedAt: 0)
        let request = Self.request([Self.envelope(0)], to: slack, bearerToken: "tok-123")
        for name in [
            "Authorization", "X-Soteri-Signature", "webhook-id", "webhook-timestamp", "webhook-signature",
            "X-Hub-Signature-256", "X-Hub-Signature", "X-AuditRelay-Batch-Size",
        ] {
            #expect(request.header(name) == nil, "\(name) was sent to Slack")
        }
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.header("X-AuditRelay-Sequence") == "40")
    }
}
