import Foundation
import NIOHTTP1
import RelayCore
import RelayTestSupport
import Testing

/// Refused admin requests: `422` problem+json naming the field, `400` for bodies that are not JSON,
/// `415` for other content types, and nothing stored or changed (SPEC §3, §3.1, §3.2, §8).
@Suite struct AdminValidationTests {
    /// A refused create body, the field its `errors` must name, and the reason when it is fixed words.
    struct Refusal: Sendable, CustomStringConvertible {
        var body: String
        var field: String
        var reason: String? = nil
        var description: String { "\(field): \(body)" }
    }

    static let url = "https://siem.example.com/in"

    static let createRefusals: [Refusal] = [
        Refusal(body: webhookBody("a", extra: #""colour":"red""#), field: "colour"),
        Refusal(body: webhookBody("a", extra: #""enabled":1"#), field: "enabled"),
        Refusal(body: #"{"name":"a","url":"\#(url)","events":"x"}"#, field: "events"),
        Refusal(body: webhookBody("a", extra: #""headers":{"a":1}"#), field: "headers"),
        Refusal(body: webhookBody("a", extra: #""headers":["X-A"]"#), field: "headers"),
        Refusal(body: #"{"name":5,"url":"\#(url)","events":["*"]}"#, field: "name"),
        Refusal(body: #"{"name":"a","url":["\#(url)"],"events":["*"]}"#, field: "url"),
        Refusal(body: webhookBody("a", extra: #""secrets":"abc""#), field: "secrets"),
        Refusal(body: webhookBody("a", extra: #""allowPrivateNetwork":"yes""#), field: "allowPrivateNetwork"),
        Refusal(body: webhookBody("a", extra: #""kind":"teams""#), field: "kind"),
        Refusal(body: webhookBody("a", extra: #""format":"xml""#), field: "format"),
        Refusal(body: webhookBody("a", extra: #""authorization":42"#), field: "authorization"),
        Refusal(body: #"{"url":"\#(url)","events":["*"]}"#, field: "name"),
        Refusal(body: #"{"name":"a","events":["*"]}"#, field: "url"),
        Refusal(body: #"{"name":"a","url":"\#(url)"}"#, field: "events"),
        Refusal(body: #"{"name":"a","url":"\#(url)","events":[]}"#, field: "events"),
        Refusal(body: #"{"name":"","url":"\#(url)","events":["*"]}"#, field: "name"),
        Refusal(
            body: webhookBody("a", url: "http://www.example.com/webhook"), field: "url",
            reason: DestinationURL.Refusal.scheme.rawValue),
        Refusal(
            body: webhookBody("a", url: "https://10.0.0.1/webhook"), field: "url",
            reason: DestinationURL.Refusal.ipAddress.rawValue),
        Refusal(
            body: webhookBody("a", url: "https://[2001:db8::7]/webhook"), field: "url",
            reason: DestinationURL.Refusal.ipAddress.rawValue),
        Refusal(
            body: webhookBody("a", url: "https://2130706433/webhook"), field: "url",
            reason: DestinationURL.Refusal.ipAddress.rawValue),
        Refusal(
            body: webhookBody("a", url: "https://user:password@www.example.com/webhook"), field: "url",
            reason: DestinationURL.Refusal.userinfo.rawValue),
        Refusal(
            body: webhookBody("a", url: "https://@www.example.com/webhook"), field: "url",
            reason: DestinationURL.Refusal.userinfo.rawValue),
        Refusal(
            body: webhookBody("a", url: "https://www.example.com:70000/webhook"), field: "url",
            reason: DestinationURL.Refusal.port.rawValue),
        Refusal(
            body: webhookBody("a", url: "https://0x7f000001/webhook"), field: "url",
            reason: DestinationURL.Refusal.ipAddress.rawValue),
        Refusal(
            body: webhookBody("a", url: "https://127.0.0.1./webhook"), field: "url",
            reason: DestinationURL.Refusal.ipAddress.rawValue),
        Refusal(
            body: webhookBody("a", url: "https://www.example.com/a b"), field: "url",
            reason: DestinationURL.Refusal.whitespace.rawValue),
        Refusal(
            body: webhookBody("a", url: "https://www.example.com/" + String(repeating: "a", count: 2026)), field: "url",
            reason: DestinationURL.Refusal.length.rawValue),
        Refusal(body: webhookBody("a", url: "https:///webhook"), field: "url"),
        Refusal(body: #"{"name":"a","url":"\#(url)","events":["user login"]}"#, field: "events[0]"),
        Refusal(body: #"{"name":"a","url":"\#(url)","events":["*","bad!type"]}"#, field: "events[1]"),
        Refusal(
            body: webhookBody(
                "a", extra: #""secrets":[\#((1...11).map { #""secret-\#($0)""# }.joined(separator: ","))]"#),
            field: "secrets"),
        Refusal(body: webhookBody("a", extra: #""secrets":[" padded"]"#), field: "secrets[0]"),
        Refusal(body: webhookBody("a", extra: #""secrets":[""]"#), field: "secrets[0]"),
        Refusal(body: webhookBody("a", extra: #""headers":{"Host":"evil.example"}"#), field: "headers.Host"),
        Refusal(
            body: webhookBody("a", extra: #""headers":{"Authorization":"Bearer x"}"#), field: "headers.Authorization"),
        Refusal(
            body: webhookBody("a", extra: #""headers":{"X-AuditRelay-Foo":"1"}"#), field: "headers.X-AuditRelay-Foo"),
        Refusal(
            body: webhookBody("a", extra: #""headers":{"x-auditrelay-attempt":"9"}"#),
            field: "headers.x-auditrelay-attempt"),
        Refusal(
            body: webhookBody("a", extra: #""headers":{"webhook-signature":"v1,x"}"#),
            field: "headers.webhook-signature"),
        Refusal(
            body: webhookBody("a", extra: #""headers":{"X-Soteri-Signature":"x"}"#), field: "headers.X-Soteri-Signature"
        ),
        Refusal(body: webhookBody("a", extra: #""headers":{"Content-Length":"1"}"#), field: "headers.Content-Length"),
        Refusal(
            body: webhookBody("a", extra: #""headers":{"Transfer-Encoding":"chunked"}"#),
            field: "headers.Transfer-Encoding"),
        Refusal(body: webhookBody("a", extra: #""headers":{"Connection":"close"}"#), field: "headers.Connection"),
        Refusal(body: webhookBody("a", extra: #""headers":{"Bad Name":"x"}"#), field: "headers.Bad Name"),
        Refusal(body: webhookBody("a", extra: #""headers":{"X-A":"a\r\nX-B: b"}"#), field: "headers.X-A"),
        Refusal(
            body: webhookBody(
                "a", extra: #""headers":{\#((1...33).map { #""X-H\#($0)":"v""# }.joined(separator: ","))}"#),
            field: "headers"),
        Refusal(
            body: webhookBody("a", extra: #""headers":{"X-Big":"\#(String(repeating: "v", count: 8200))"}"#),
            field: "headers"),
        Refusal(body: webhookBody("a", extra: #""authorization":"Bearer""#), field: "authorization"),
        Refusal(body: webhookBody("a", extra: #""authorization":"Bearer ""#), field: "authorization"),
        Refusal(body: webhookBody("a", extra: #""authorization":"Bearer a\r\nX-Evil: 1""#), field: "authorization"),
        Refusal(
            body: #"{"name":"s","kind":"slack","url":"\#(slackURL)","events":["*"],"secrets":["abc"]}"#,
            field: "secrets"),
        Refusal(
            body: #"{"name":"s","kind":"slack","url":"\#(slackURL)","events":["*"],"authorization":"Bearer x"}"#,
            field: "authorization"),
        Refusal(
            body: #"{"name":"s","kind":"slack","url":"\#(slackURL)","events":["*"],"headers":{"X-A":"b"}}"#,
            field: "headers"),
    ]

    @Test func refusedCreatesName422TheFieldAndStoreNothing() async throws {
        try await withAdminRelay { relay in
            for refusal in Self.createRefusals {
                let reply = try await relay.request(method: .POST, path: "/v1/webhooks", body: refusal.body)
                let reason = expectInvalid(reply, field: refusal.field)
                if let expected = refusal.reason {
                    #expect(reason == expected, "\(refusal)")
                }
            }
            #expect(try await relay.webhookList().isEmpty)
        }
    }

    @Test func oneRefusalNamesEveryMissingField() async throws {
        try await withAdminRelay { relay in
            let reply = try await relay.request(method: .POST, path: "/v1/webhooks", body: "{}")
            expectProblem(reply, status: 422)
            #expect(reply.errorFields.isSuperset(of: ["name", "url", "events"]), "\(reply.fieldErrors)")
        }
    }

    @Test func urlRefusalsSayWhichRuleIsBroken() async throws {
        try await withAdminRelay { relay in
            let http = try await relay.request(
                method: .POST, path: "/v1/webhooks", body: webhookBody("a", url: "http://www.example.com/webhook"))
            #expect(http.reason(for: "url")?.contains("https") == true, "\(http.body)")
            let ip = try await relay.request(
                method: .POST, path: "/v1/webhooks", body: webhookBody("a", url: "https://10.0.0.1/webhook"))
            #expect(ip.reason(for: "url")?.contains("IP address") == true, "\(ip.body)")
            let userinfo = try await relay.request(
                method: .POST, path: "/v1/webhooks",
                body: webhookBody("a", url: "https://user:password@www.example.com/webhook"))
            #expect(userinfo.reason(for: "url")?.contains("use the authorization header instead") == true)
            #expect(!userinfo.body.contains("password"))
        }
    }

    @Test func bodiesThatAreNotJSONObjectsAre400AndOtherContentTypes415() async throws {
        try await withAdminRelay { relay in
            for body in [#"{"name": "#, "not json", #"[{"name":"a"}]"#, "\"text\""] {
                let reply = try await relay.request(method: .POST, path: "/v1/webhooks", body: body)
                expectProblem(reply, status: 400)
            }
            for contentType in ["text/plain", "application/x-www-form-urlencoded", "application/xml"] {
                let reply = try await relay.request(
                    method: .POST, path: "/v1/webhooks", body: webhookBody("typed"), contentType: contentType)
                expectProblem(reply, status: 415)
            }
            #expect(try await relay.webhookList().isEmpty)
        }
    }

    @Test func contentTypeMayBeOverriddenByACustomHeader() async throws {
        try await withAdminRelay { relay in
            let created = try await relay.createWebhook(
                webhookBody("ct", extra: #""headers":{"Content-Type":"application/x-ndjson"}"#))
            #expect(created.headers == ["Content-Type": "application/x-ndjson"])
        }
    }

    @Test func aTakenNameIsRefusedOnCreateAndOnRename() async throws {
        try await withAdminRelay { relay in
            _ = try await relay.createWebhook(webhookBody("dup"))
            let again = try await relay.request(method: .POST, path: "/v1/webhooks", body: webhookBody("dup"))
            expectInvalid(again, field: "name")
            #expect(try await relay.webhookList().count == 1)

            let other = try await relay.createWebhook(webhookBody("other"))
            let id = other.id
            let rename = try await relay.request(
                method: .PATCH, path: "/v1/webhooks/\(id)", body: #"{"name":"dup"}"#)
            expectInvalid(rename, field: "name")
            #expect(try await relay.webhook(id) == other)
        }
    }

    @Test func refusedPatchesChangeNothing() async throws {
        try await withAdminRelay { relay in
            let created = try await relay.createWebhook(
                webhookBody(
                    "steady",
                    extra: #""secrets":["first-secret-value"],"authorization":"Bearer steady-credential""#
                        + #","headers":{"X-Tenant":"acme"}"#))
            let id = created.id
            let eleven = (1...10).map { #""s-\#($0)""# }.joined(separator: ",")
            let cases: [(String, String)] = [
                (#"{"colour":"red"}"#, "colour"),
                (#"{"enabled":1}"#, "enabled"),
                (#"{"events":"x"}"#, "events"),
                (#"{"events":[]}"#, "events"),
                (#"{"events":["user login"]}"#, "events[0]"),
                (#"{"headers":{"a":1}}"#, "headers"),
                (#"{"headers":{"Host":"x"}}"#, "headers.Host"),
                (#"{"url":"http://www.example.com/webhook"}"#, "url"),
                (#"{"url":"https://10.0.0.1/webhook"}"#, "url"),
                (#"{"url":"https://user:password@www.example.com/webhook"}"#, "url"),
                (#"{"secrets":["first-secret-value",\#(eleven)]}"#, "secrets"),
                (#"{"authorization":"NoSpace"}"#, "authorization"),
                (#"{"name":""}"#, "name"),
                (#"{"kind":"slack","url":"\#(slackURL)"}"#, "secrets"),
                (#"{"name":"ok-name","url":"http://www.example.com/webhook"}"#, "url"),
            ]
            for (body, field) in cases {
                let reply = try await relay.request(method: .PATCH, path: "/v1/webhooks/\(id)", body: body)
                expectInvalid(reply, field: field)
            }
            expectProblem(
                try await relay.request(method: .PATCH, path: "/v1/webhooks/\(id)", body: #"{"name":"#), status: 400)
            expectProblem(
                try await relay.request(
                    method: .PATCH, path: "/v1/webhooks/\(id)", body: #"{"name":"typed"}"#, contentType: "text/plain"),
                status: 415)
            let after = try await relay.webhook(id)
            #expect(after == created, "a refused PATCH changed \(created) into \(after)")
        }
    }

    @Test func theLimitsThemselvesAreAccepted() async throws {
        try await withAdminRelay { relay in
            let ten = try jsonText((1...10).map { "secret-\($0)" })
            let longest = String(repeating: "s", count: 256)
            let headers = try jsonText(Dictionary(uniqueKeysWithValues: (1...32).map { ("X-H\($0)", "v") }))
            let created = try await relay.createWebhook(
                webhookBody("limits", extra: #""secrets":\#(ten),"headers":\#(headers)"#))
            #expect(created.secrets.count == 10)
            #expect(created.headers.count == 32)
            let long = try await relay.createWebhook(webhookBody("long", extra: #""secrets":["\#(longest)"]"#))
            #expect(long.secrets == ["sss…"])
            let tooLong = try await relay.request(
                method: .POST, path: "/v1/webhooks",
                body: webhookBody("too-long", extra: #""secrets":["\#(longest)s"]"#))
            expectInvalid(tooLong, field: "secrets[0]")
            let charset = try await relay.request(
                method: .POST, path: "/v1/webhooks", body: webhookBody("charset"),
                contentType: "application/json; charset=utf-8")
            #expect(charset.status == 201, "\(charset.body)")
            #expect(try await relay.webhookList().count == 3)
        }
    }
}
