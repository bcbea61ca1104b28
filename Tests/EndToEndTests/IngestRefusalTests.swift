import Foundation
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

/// Bad input gets a problem+json answer and stores nothing; a 202 means stored (SPEC §2).
@Suite struct IngestRefusalTests {
    struct Refusal: Sendable, CustomTestStringConvertible {
        let name: String
        let body: String
        let contentType: String?
        let token: String?
        let status: Int
        let detailMentions: String
        var testDescription: String { name }
    }

    static let refusals: [Refusal] = [
        Refusal(
            name: "malformed JSON", body: #"{"type": "user.login""#, contentType: "application/json",
            token: testIngestToken, status: 400, detailMentions: "not a valid JSON"),
        Refusal(
            name: "missing type", body: #"{"actor":"a"}"#, contentType: "application/json", token: testIngestToken,
            status: 422, detailMentions: "type"),
        Refusal(
            name: "invalid type", body: #"[{"type":"ok"},{"type":"no spaces"}]"#, contentType: "application/json",
            token: testIngestToken, status: 422, detailMentions: "events[1].type"),
        Refusal(
            name: "ndjson bad line", body: "{\"type\":\"a\"}\nnot json\n", contentType: "application/x-ndjson",
            token: testIngestToken, status: 400, detailMentions: "events[1]"),
        Refusal(
            name: "unsupported content type", body: #"{"type":"a"}"#, contentType: "text/plain", token: testIngestToken,
            status: 415, detailMentions: "application/json"),
        Refusal(
            name: "missing content type", body: #"{"type":"a"}"#, contentType: nil, token: testIngestToken, status: 415,
            detailMentions: "Content-Type"),
        Refusal(
            name: "missing token", body: #"{"type":"a"}"#, contentType: "application/json", token: nil, status: 401,
            detailMentions: "Unauthorized"),
        Refusal(
            name: "wrong token", body: #"{"type":"a"}"#, contentType: "application/json", token: "nope", status: 401,
            detailMentions: "Unauthorized"),
        Refusal(
            name: "too large", body: #"{"type":"a","pad":""# + String(repeating: "x", count: 5000) + #""}"#,
            contentType: "application/json", token: testIngestToken, status: 413, detailMentions: "4096"),
    ]

    @Test(arguments: refusals)
    func refusedWithAProblemAndNothingStored(_ refusal: Refusal) async throws {
        let directory = try TestFixtures.temporaryDirectory()
        var configuration = testConfiguration(directory: directory, webhooks: [])
        configuration.ingest.maxBodyBytes = 4096
        try await withRelay(configuration) { relay in
            let reply = try await relay.postEvents(refusal.body, contentType: refusal.contentType, token: refusal.token)
            #expect(reply.status == refusal.status)
            #expect(reply.headers["content-type"] == "application/problem+json")
            #expect(reply.members["status"] == .number(Double(refusal.status)))
            #expect(reply.members["title"]?.string != nil)
            #expect(reply.members["detail"]?.string?.contains(refusal.detailMentions) == true, "\(reply.body)")
            #expect(try await relay.openStore().eventCount(includingOwn: false) == 0)
        }
    }

    @Test func aFullQueueAnswers503AndStoresNothingOfTheRequest() async throws {
        try await withReceivingRelay(
            respond: { _ in ReceiverReply(status: 503) }, webhooks: { [try hook("a", url: $0.url())] },
            configure: {
                $0.ingest.maxQueuedEvents = 3
                $0.delivery.retrySchedule = [.seconds(3600)]
            }
        ) { relay, _ in
            #expect(try await relay.postEvents(#"[{"type":"a","id":"q1"},{"type":"a","id":"q2"}]"#).status == 202)
            let refused = try await relay.postEvents(#"[{"type":"a","id":"q3"},{"type":"a","id":"q4"}]"#)
            #expect(refused.status == 503)
            #expect(refused.headers["retry-after"] != nil)
            #expect(refused.headers["content-type"] == "application/problem+json")
            let store = try relay.openStore()
            #expect(try await store.eventCount(includingOwn: false) == 2)
            #expect(try await store.messageStatuses(eventID: "q3").isEmpty)
        }
    }

    @Test func aFullDiskAnswers503AndEveryAcceptedEventIsStored() async throws {
        let directory = try TestFixtures.temporaryDirectory()
        let configuration = testConfiguration(directory: directory, webhooks: [])
        let padding = String(repeating: "p", count: 20_000)
        try await withRelay(configuration, maximumStoreBytes: 400_000) { relay in
            var acceptedIDs: [String] = []
            var sawFull = false
            for index in 0..<60 {
                let id = "disk-\(index)"
                let reply = try await relay.postEvents(#"{"type":"a","id":"\#(id)","pad":"\#(padding)"}"#)
                if reply.status == 202 {
                    acceptedIDs.append(id)
                } else {
                    #expect(reply.status == 503)
                    #expect(reply.headers["retry-after"] != nil)
                    sawFull = true
                    break
                }
            }
            #expect(sawFull, "the capped store never filled up")
            let store = try relay.openStore()
            #expect(try await store.eventCount(includingOwn: false) == acceptedIDs.count)
        }
    }
}
