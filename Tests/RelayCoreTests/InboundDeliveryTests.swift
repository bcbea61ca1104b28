import Foundation
import RelayCore
import Testing

/// How each provider's verified request becomes an event (SPEC §12's table): its id, type,
/// sender and actor, from payloads shaped as each provider documents them.
@Suite struct InboundDeliveryTests {
    private static func read(_ provider: InboundProvider, _ headers: [String: String], _ body: String)
        -> Result<InboundDelivery, InboundDelivery.Refusal>
    {
        InboundDelivery.read(provider, headers: HeaderFields(headers), body: Array(body.utf8))
    }

    @Test func github() throws {
        let body = #"""
            {"action":"deleted","repository":{"full_name":"acme/api"},"organization":{"login":"acme"},
             "sender":{"login":"mallory"}}
            """#
        let delivery = try Self.read(
            .github, ["x-github-delivery": "72d3162e-cc78", "X-GitHub-Event": "repository"], body
        ).get()
        #expect(
            delivery
                == InboundDelivery(
                    eventID: "github:72d3162e-cc78", type: "github.repository.deleted", sender: "acme/api",
                    actor: "mallory"))
        let push = try Self.read(
            .github, ["X-GitHub-Delivery": "d-2", "X-GitHub-Event": "organization"],
            #"{"organization":{"login":"acme"},"sender":{"login":"alice"}}"#
        ).get()
        #expect(push.type == "github.organization" && push.sender == "acme" && push.actor == "alice")
        #expect(
            Self.read(.github, ["X-GitHub-Event": "push"], "{}")
                == .failure(.init(description: "the X-GitHub-Delivery header is missing")))
    }

    @Test func bitbucket() throws {
        let delivery = try Self.read(
            .bitbucket, ["X-Request-UUID": "a1b2", "X-Event-Key": "repo:push"],
            #"{"repository":{"full_name":"acme/web"},"actor":{"display_name":"Alice Example"}}"#
        ).get()
        #expect(
            delivery
                == InboundDelivery(
                    eventID: "bitbucket:a1b2", type: "bitbucket.repo:push", sender: "acme/web", actor: "Alice Example"))
    }

    @Test func jiraTakesTheSiteFromTheFirstSelfURL() throws {
        let body = #"""
            {"webhookEvent":"jira:issue_deleted","user":{"displayName":"Bob","self":"https://acme.atlassian.net/rest/api/2/user?accountId=1"},
             "issue":{"self":"https://acme.atlassian.net/rest/api/2/issue/10001"}}
            """#
        let delivery = try Self.read(.jira, ["X-Atlassian-Webhook-Identifier": "w-9"], body).get()
        #expect(
            delivery
                == InboundDelivery(
                    eventID: "jira:w-9", type: "jira.jira:issue_deleted", sender: "https://acme.atlassian.net",
                    actor: "Bob"))
        let siteless = try Self.read(
            .jira, ["X-Atlassian-Webhook-Identifier": "w-10"], #"{"webhookEvent":"user_created"}"#
        ).get()
        #expect(siteless.sender == nil && siteless.actor == nil)
        #expect(
            Self.read(.jira, ["X-Atlassian-Webhook-Identifier": "w-11"], #"{"issue":{}}"#)
                == .failure(.init(description: "no event type in the body's webhookEvent")))
    }

    @Test func gitlabPrefersTheIdempotencyKey() throws {
        let body = #"{"object_kind":"push","project":{"path_with_namespace":"acme/infra"},"user_username":"carol"}"#
        let keyed = try Self.read(.gitlab, ["Idempotency-Key": "k-1", "X-Gitlab-Event-UUID": "u-1"], body).get()
        #expect(
            keyed
                == InboundDelivery(eventID: "gitlab:k-1", type: "gitlab.push", sender: "acme/infra", actor: "carol"))
        #expect(try Self.read(.gitlab, ["X-Gitlab-Event-UUID": "u-1"], body).get().eventID == "gitlab:u-1")
    }

    @Test func standardWebhooksTakeTheBodysType() throws {
        let delivery = try Self.read(.standard, ["webhook-id": "msg_1"], #"{"type":"user.login","data":{}}"#).get()
        #expect(delivery == InboundDelivery(eventID: "standard:msg_1", type: "user.login", sender: nil, actor: nil))
    }

    @Test func whatCannotBecomeAnEventIsRefusedWithTheReason() {
        let headers = ["X-GitHub-Delivery": "d", "X-GitHub-Event": "push"]
        #expect(
            Self.read(.github, headers, "payload=%7B%7D")
                == .failure(.init(description: "the body is not a JSON object: set the webhook's content type to JSON"))
        )
        #expect(
            Self.read(.github, ["X-GitHub-Delivery": "d", "X-GitHub-Event": "push event"], "{}")
                == .failure(
                    .init(
                        description: "the event type 'github.push event' may contain only letters, digits and . _ : / -"
                    )
                ))
    }

    @Test func theStoredEventCarriesThePayloadVerbatim() throws {
        let payload = #"{"b": 1, "a": "é"}"#
        let delivery = InboundDelivery(eventID: "github:d", type: "github.push", sender: nil, actor: #"al"ice"#)
        let body = delivery.eventBody(source: "acme", receivedAt: 1_795_514_400_123, payload: Array(payload.utf8))
        let text = String(decoding: body, as: UTF8.self)
        #expect(
            text
                == #"{"id":"github:d","type":"github.push","time":"2026-11-24T10:00:00.123Z","source":"acme","actor":"al\"ice","data":{"b": 1, "a": "é"}}"#
        )
        #expect(try JSONValue.object(from: body)["data"] == .object(["b": .number(1), "a": .string("é")]))
    }
}
