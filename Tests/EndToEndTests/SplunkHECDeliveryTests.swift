import Foundation
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

/// Splunk HTTP Event Collector, played by a local receiver that answers with HEC's JSON codes
/// (SPEC §6): batches, per-event refusals, 413 splitting, token errors, a busy server.
@Suite struct SplunkHECDeliveryTests {
    static let success = ReceiverReply(body: #"{"text":"Success","code":0}"#)

    private func hecHook(_ receiver: TestReceiver, batch: BatchSettings? = nil) throws -> WebhookSpec {
        var spec = try hook("splunk", url: receiver.url("/services/collector/event"))
        spec.format = .splunkHEC
        spec.authorization = "Splunk 11111111-2222-3333-4444-555555555555"
        spec.splunk = SplunkFields(sourcetype: "acme:audit", index: "security", host: "relay-1")
        spec.batch = batch
        return spec
    }

    /// The `event` members of concatenated HEC envelopes, in order.
    static func envelopes(_ request: ReceivedRequest) throws -> [[String: Any]] {
        var envelopes: [[String: Any]] = []
        var rest = Substring(request.text)
        while let end = rest.range(of: "}}") {
            let object = rest[..<end.upperBound]
            envelopes.append(try #require(try JSONSerialization.jsonObject(with: Data(object.utf8)) as? [String: Any]))
            rest = rest[end.upperBound...]
        }
        return envelopes
    }

    static func eventIDs(_ request: ReceivedRequest) throws -> [String] {
        try envelopes(request).compactMap { ($0["event"] as? [String: Any])?["id"] as? String }
    }

    /// A QRadar-like webhook: NDJSON batches of up to `maxEvents`, sent after 200 ms.
    private static func ndjsonHook(_ receiver: TestReceiver, maxEvents: Int) throws -> WebhookSpec {
        var spec = try hook("qradar", url: receiver.url("/qradar"))
        spec.format = .ndjson
        spec.batch = BatchSettings(maxEvents: maxEvents, maxBytes: 1_000_000, maxWait: .init(milliseconds: 200))
        return spec
    }

    private static func ndjson(_ ids: ClosedRange<Int>, prefix: String = "e") -> String {
        ids.map { #"{"type":"user.login","id":"\#(prefix)\#($0)","time":"2026-11-24T10:00:00Z","n":\#($0)}"# }
            .joined(separator: "\n")
    }

    @Test func batchesAreConcatenatedEnvelopesWithTheConfiguredFields() async throws {
        let batch = BatchSettings(maxEvents: 10, maxBytes: 1_000_000, maxWait: .init(milliseconds: 300))
        try await withReceivingRelay(respond: { _ in Self.success }, webhooks: { [try hecHook($0, batch: batch)] }) {
            relay, receiver in
            let reply = try await relay.postEvents(Self.ndjson(1...25), contentType: "application/x-ndjson")
            #expect(reply.status == 202)
            let store = try relay.openStore()
            #expect(try await eventually { try await store.attempts(limit: 100).flatMap(\.messages).count == 25 })
            // One attempt record per request, naming every message it carried.
            #expect(try await store.attempts(limit: 100).map(\.messageCount).sorted() == [5, 10, 10])
            let requests = receiver.requests()
            #expect(try requests.map { try Self.eventIDs($0).count }.sorted() == [5, 10, 10])
            let all = try requests.flatMap(Self.eventIDs)
            #expect(Set(all) == Set((1...25).map { "e\($0)" }))
            let first = try #require(try Self.envelopes(requests[0]).first)
            #expect(first["sourcetype"] as? String == "acme:audit")
            #expect(first["source"] as? String == "auditrelay")
            #expect(first["index"] as? String == "security")
            #expect(first["host"] as? String == "relay-1")
            #expect(first["time"] is Double)
            #expect(requests[0].headers["authorization"] == "Splunk 11111111-2222-3333-4444-555555555555")
            #expect(requests.map { $0.headers["x-auditrelay-batch-size"] }.compactMap { $0 }.count == 3)
            #expect(
                try await store.attempts(limit: 100).flatMap(\.messages).allSatisfy { $0.outcome == .delivered })
            let e7 = try #require(try await store.attempts(matching: AttemptQuery(eventID: "e7")).first)
            #expect(e7.eventID == "e7" && e7.messageCount == 10, "the batch is found and shown by its event")
        }
    }

    @Test func aPartialBatchIsSentOnceMaxWaitHasPassed() async throws {
        let batch = BatchSettings(maxEvents: 100, maxBytes: 1_000_000, maxWait: .init(milliseconds: 700))
        try await withReceivingRelay(respond: { _ in Self.success }, webhooks: { [try hecHook($0, batch: batch)] }) {
            relay, receiver in
            let posted = ContinuousClock.now
            #expect(
                try await relay.postEvents(Self.ndjson(1...3), contentType: "application/x-ndjson").status == 202)
            let request = try #require(try await receiver.waitForRequests(1).first)
            #expect(request.receivedAt - posted >= .milliseconds(600), "sent before the batch could fill")
            #expect(try Self.eventIDs(request) == ["e1", "e2", "e3"])
        }
    }

    @Test func anInvalidEventNumberFailsThatEventOnlyAndTheRestIsSentAgain() async throws {
        let batch = BatchSettings(maxEvents: 4, maxBytes: 1_000_000, maxWait: .init(milliseconds: 300))
        try await withReceivingRelay(
            respond: { request in
                let ids = (try? Self.eventIDs(request)) ?? []
                if let bad = ids.firstIndex(of: "e2") {
                    return ReceiverReply(
                        status: 400, body: #"{"text":"Invalid data format","code":6,"invalid-event-number":\#(bad)}"#)
                }
                return Self.success
            },
            webhooks: { [try hecHook($0, batch: batch)] }
        ) { relay, receiver in
            #expect(
                try await relay.postEvents(Self.ndjson(1...4), contentType: "application/x-ndjson").status == 202)
            let store = try relay.openStore()
            #expect(try await eventually { try await store.attempts(limit: 100).flatMap(\.messages).count == 4 })
            let requests = receiver.requests()
            #expect(try requests.map(Self.eventIDs) == [["e1", "e2", "e3", "e4"], ["e3", "e4"]])
            let messages = try await store.attempts(limit: 100).flatMap(\.messages)
            let outcomes = Dictionary(uniqueKeysWithValues: messages.map { ($0.eventID, $0.outcome) })
            #expect(outcomes == ["e1": .delivered, "e2": .failed, "e3": .delivered, "e4": .delivered])
            let failed = try #require(messages.first { $0.eventID == "e2" })
            #expect(failed.error?.contains("code 6") == true)
            let refusal = try #require(try await store.attempts(matching: AttemptQuery(outcome: .failed)).first)
            #expect(refusal.eventID == "e2" && refusal.httpStatus == 400 && refusal.messageCount == 2)
            #expect(try await store.webhooks().first?.state == .active)
        }
    }

    @Test func a413SplitsTheBatchUntilItFits() async throws {
        let batch = BatchSettings(maxEvents: 8, maxBytes: 1_000_000, maxWait: .init(milliseconds: 300))
        try await withReceivingRelay(
            respond: { request in
                ((try? Self.eventIDs(request).count) ?? 0) > 2 ? ReceiverReply(status: 413) : Self.success
            },
            webhooks: { [try hecHook($0, batch: batch)] }
        ) { relay, receiver in
            #expect(
                try await relay.postEvents(Self.ndjson(1...8), contentType: "application/x-ndjson").status == 202)
            let store = try relay.openStore()
            #expect(try await eventually { try await store.attempts(limit: 100).flatMap(\.messages).count == 8 })
            let sizes = try receiver.requests().map { try Self.eventIDs($0).count }
            #expect(sizes == [8, 4, 2, 2, 4, 2, 2])
            // The requests that were split are not attempts of their own.
            let attempts = try await store.attempts(limit: 100)
            #expect(attempts.map(\.messageCount) == [2, 2, 2, 2])
            #expect(attempts.flatMap(\.messages).allSatisfy { $0.outcome == .delivered && $0.attempt == 1 })
        }
    }

    @Test func aTokenErrorPausesTheWebhook() async throws {
        try await withReceivingRelay(
            respond: { _ in ReceiverReply(status: 403, body: #"{"text":"Invalid token","code":4}"#) },
            webhooks: { [try hecHook($0)] }
        ) { relay, _ in
            #expect(try await relay.postEvents(#"{"type":"user.login"}"#).status == 202)
            let store = try relay.openStore()
            #expect(try await eventually { try await store.webhooks().first?.state == .paused })
            #expect(try await store.webhooks().first?.stateReason?.contains("code 4 (Invalid token)") == true)
            #expect(try await store.pendingDepth() == 2, "the message stays queued, and the record of the pause")
        }
    }

    @Test func aBusyServerIsRetried() async throws {
        let calls = Counter()
        try await withReceivingRelay(
            respond: { _ in
                calls.next() == 1
                    ? ReceiverReply(
                        status: 503, headers: ["Retry-After": "1"], body: #"{"text":"Server is busy","code":9}"#)
                    : Self.success
            },
            webhooks: { [try hecHook($0)] }
        ) { relay, receiver in
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"busy-1"}"#).status == 202)
            let received = try await receiver.waitForRequests(2)
            #expect(received[1].receivedAt - received[0].receivedAt >= .milliseconds(900))
            let store = try relay.openStore()
            #expect(try await eventually { try await store.attempts().count == 2 })
            #expect(try await store.attempts().map(\.outcome) == [.delivered, .retrying])
        }
    }

    @Test func aBatchRefusedWithoutSayingWhichEventIsHalvedUntilTheBadOneIsAlone() async throws {
        try await withReceivingRelay(
            respond: { request in
                request.text.contains(#""id":"q3""#) ? ReceiverReply(status: 400, body: "bad record") : ReceiverReply()
            },
            webhooks: { [try Self.ndjsonHook($0, maxEvents: 8)] }
        ) { relay, receiver in
            let sent = Self.ndjson(1...8, prefix: "q")
            #expect(try await relay.postEvents(sent, contentType: "application/x-ndjson").status == 202)
            let store = try relay.openStore()
            #expect(try await eventually { try await store.attempts(limit: 100).flatMap(\.messages).count == 8 })
            let outcomes = Dictionary(
                uniqueKeysWithValues: try await store.attempts(limit: 100).flatMap(\.messages).map {
                    ($0.eventID, $0.outcome)
                })
            #expect(outcomes["q3"] == .failed)
            #expect(outcomes.filter { $0.key != "q3" }.values.allSatisfy { $0 == .delivered })
            let lines = receiver.requests().map { $0.text.split(separator: "\n").count }
            #expect(lines == [8, 4, 2, 2, 1, 1, 4], "halves down to the refused event")
        }
    }

    @Test func ndjsonIsOneEventPerLine() async throws {
        try await withReceivingRelay(webhooks: { [try Self.ndjsonHook($0, maxEvents: 50)] }) { relay, receiver in
            let sent = Self.ndjson(1...5, prefix: "q")
            #expect(try await relay.postEvents(sent, contentType: "application/x-ndjson").status == 202)
            let request = try #require(try await receiver.waitForRequests(1).first)
            #expect(request.headers["content-type"] == "application/x-ndjson")
            #expect(request.text == sent + "\n")
        }
    }
}
