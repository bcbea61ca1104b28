import Foundation
import RelayCore
import Testing

/// SPEC §3.2 and §4: the headers and body of one delivery attempt.
@Suite("OutboundRequest")
struct OutboundRequestTests {
    private static let body = #"{"id":"e-1","time":"2026-11-24T10:00:00Z","type":"user.login","actor":"é"}"#

    private func envelope(attempt: Int = 3, sequence: Int64 = 42) -> MessageEnvelope {
        let event = AuditEvent(id: "e-1", type: "user.login", occurredAt: 1_795_514_400_000, body: Data(Self.body.utf8))
        return MessageEnvelope(messageID: "msg_01", sequence: sequence, attempt: attempt, event: event)
    }

    private func webhook(
        kind: WebhookKind = .custom, authorization: String? = nil, headers: [String: String] = [:]
    ) -> Webhook {
        Webhook(
            id: "wh_1", name: "Splunk", kind: kind, url: "https://splunk.example.com:8088/services/collector/event",
            events: [], authorization: authorization, headers: headers, createdAt: 0, updatedAt: 0)
    }

    @Test("The relay's own headers")
    func relayHeaders() {
        let request = OutboundRequest.make(envelope(), to: webhook(), timestamp: 1_795_514_400)
        #expect(!RelayVersion.current.isEmpty)
        #expect(request.header("User-Agent") == "AuditRelay/\(RelayVersion.current)")
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.header("X-AuditRelay-Event-Type") == "user.login")
        #expect(request.header("X-AuditRelay-Attempt") == "3")
        #expect(request.header("X-AuditRelay-Sequence") == "42")
        #expect(request.header("Authorization") == nil)
    }

    @Test("The body is the stored event's exact bytes, sent to the webhook's URL")
    func body() {
        let request = OutboundRequest.make(envelope(), to: webhook(), timestamp: 1_795_514_400)
        #expect(request.body == Array(Self.body.utf8))
        #expect(request.url == "https://splunk.example.com:8088/services/collector/event")
    }

    @Test("Header lookup is case-insensitive")
    func headerLookup() {
        let request = OutboundRequest.make(envelope(), to: webhook(), timestamp: 1_795_514_400)
        #expect(request.header("user-agent") == request.header("User-Agent"))
        #expect(request.header("x-auditrelay-sequence") == "42")
        #expect(request.header("X-Not-There") == nil)
    }

    @Test(
        "A webhook header overrides Content-Type, which is then sent once", arguments: ["Content-Type", "content-type"])
    func contentTypeOverride(name: String) {
        let request = OutboundRequest.make(
            envelope(), to: webhook(headers: [name: "application/x-splunk"]), timestamp: 1_795_514_400)
        #expect(request.header("Content-Type") == "application/x-splunk")
        #expect(request.headers.filter { $0.name.lowercased() == "content-type" }.count == 1)
    }

    @Test("Authorization and custom headers are sent")
    func customHeaders() {
        let hook = webhook(authorization: "Splunk 1234-abcd", headers: ["X-Tenant": "acme", "X-Region": "eu"])
        let request = OutboundRequest.make(envelope(), to: hook, timestamp: 1_795_514_400)
        #expect(request.header("Authorization") == "Splunk 1234-abcd")
        #expect(request.header("X-Tenant") == "acme")
        #expect(request.header("X-Region") == "eu")
        #expect(request.header("User-Agent") == "AuditRelay/\(RelayVersion.current)")
        let names = request.headers.map { $0.name.lowercased() }
        #expect(Set(names).count == names.count, "a header is sent twice: \(names)")
    }

    @Test("Slack webhooks get no custom headers or authorization")
    func slackGetsNoCustomHeaders() {
        let hook = webhook(kind: .slack, authorization: "Bearer x", headers: ["X-Tenant": "acme"])
        let request = OutboundRequest.make(envelope(), to: hook, timestamp: 1_795_514_400)
        #expect(request.header("Authorization") == nil)
        #expect(request.header("X-Tenant") == nil)
        #expect(request.header("X-AuditRelay-Event-Type") == "user.login")
    }

    @Test("A retry keeps the sequence and advances the attempt")
    func retryKeepsSequence() {
        let first = OutboundRequest.make(envelope(attempt: 1, sequence: 7), to: webhook(), timestamp: 1_795_514_400)
        let second = OutboundRequest.make(envelope(attempt: 2, sequence: 7), to: webhook(), timestamp: 1_795_514_400)
        #expect(first.header("X-AuditRelay-Sequence") == "7")
        #expect(second.header("X-AuditRelay-Sequence") == "7")
        #expect(first.header("X-AuditRelay-Attempt") == "1")
        #expect(second.header("X-AuditRelay-Attempt") == "2")
        #expect(first.body == second.body)
        #expect(first != second)
    }

    @Test("Every header value is safe to put on the wire")
    func headerValuesAreSafe() {
        var message = envelope()
        message.event.id = "id\r\nX-Injected: yes"
        let request = OutboundRequest.make(message, to: webhook(), timestamp: 1_795_514_400)
        for (name, value) in request.headers {
            #expect(!value.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(name): \(value)")
        }
        #expect(request.header("X-Injected") == nil)
    }
}
