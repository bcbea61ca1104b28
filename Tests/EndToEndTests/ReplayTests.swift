import Foundation
import NIOHTTP1
import RelayCore
import RelayTestSupport
import Testing

/// `POST /v1/messages/{id}/retry` and `POST /v1/webhooks/{id}/replay`: a message is delivered
/// again with the same message id, the same body and a higher attempt number (SPEC §4, §7).
@Suite(.timeLimit(.minutes(1))) struct ReplayTests {
    @Test func retryDeliversAFailedMessageAgainWithTheSameId() async throws {
        let calls = Counter()
        try await withReceivingRelay(
            respond: { _ in
                calls.next() == 1 ? ReceiverReply(status: 400, body: "not today") : ReceiverReply(status: 200)
            },
            webhooks: { receiver in
                var spec = try hook("retry-hook", url: receiver.url())
                spec.secrets = ["retry-signing-secret"]
                return [spec]
            }
        ) { relay, receiver in
            let sent = #"{"type":"user.login","id":"retry-1","actor":{"name":"alice"}}"#
            #expect(try await relay.postEvents(sent).status == 202)
            let failed = try #require(try await waitForAttempts(relay, 1, query: "status=failed").first)
            #expect(failed.httpStatus == 400)
            let messageID = failed.messageId
            let store = try relay.openStore()
            #expect(try await store.pendingDepth() == 0, "a failed message is not retried on its own")
            #expect(receiver.requests().count == 1)

            let reply = try await relay.request(method: .POST, path: "/v1/messages/\(messageID)/retry")
            #expect(reply.status == 202, "\(reply.body)")
            #expect(try reply.decoded(MessageRetryAccepted.self).messageId == messageID)
            let received = try await receiver.waitForRequests(2)
            let (first, second) = (received[0], received[1])
            #expect(first.headers["x-auditrelay-message-id"] == messageID)
            #expect(second.headers["x-auditrelay-message-id"] == messageID, "the same message id")
            #expect(second.headers["webhook-id"] == messageID, "the same webhook-id")
            #expect(first.text.hasSuffix(#""type":"user.login","id":"retry-1","actor":{"name":"alice"}}"#))
            #expect(second.text == first.text, "the same body")
            #expect(second.headers["x-auditrelay-sequence"] == first.headers["x-auditrelay-sequence"])
            #expect(second.headers["x-auditrelay-event-type"] == "user.login")
            #expect(first.headers["x-auditrelay-attempt"] == "1")
            #expect(second.headers["x-auditrelay-attempt"] == "2", "the attempt number goes on")

            let delivered = try #require(try await waitForAttempts(relay, 1, query: "status=delivered").first)
            #expect(delivered.messageId == messageID)
            #expect(delivered.eventId == "retry-1")
            #expect(delivered.attempt == 2)
            #expect(try await deliveryPage(relay, "event=retry-1").deliveries.count == 2)

            // A delivered message can be sent once more, on request.
            let again = try await relay.request(method: .POST, path: "/v1/messages/\(messageID)/retry")
            #expect(again.status == 202, "\(again.body)")
            let third = try await receiver.waitForRequests(3)[2]
            #expect(third.headers["x-auditrelay-message-id"] == messageID)
            #expect(third.headers["x-auditrelay-attempt"] == "3")
            #expect(third.text == first.text)
            #expect(try await eventually { try await store.pendingDepth() == 0 })
            #expect(receiver.requests().count == 3, "a retry sends the message once")
        }
    }

    @Test func retryMakesAMessageWaitingForItsNextAttemptDueNow() async throws {
        let calls = Counter()
        try await withReceivingRelay(
            respond: { _ in calls.next() == 1 ? ReceiverReply(status: 503) : ReceiverReply(status: 200) },
            webhooks: { [try hook("patient", url: $0.url())] },
            configure: { $0.delivery.retrySchedule = [RelayDuration(milliseconds: 3_600_000)] }
        ) { relay, receiver in
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"wait-1"}"#).status == 202)
            let waiting = try #require(try await waitForAttempts(relay, 1, query: "status=retrying").first)
            let next = try #require(rfc3339Date(waiting.nextAttemptAt))
            #expect(next.timeIntervalSinceNow > 600, "the next attempt is about an hour away")
            let messageID = waiting.messageId

            let reply = try await relay.request(method: .POST, path: "/v1/messages/\(messageID)/retry")
            #expect(reply.status == 202, "\(reply.body)")
            let received = try await receiver.waitForRequests(2, timeout: .seconds(5))
            #expect(received[1].headers["x-auditrelay-message-id"] == messageID)
            #expect(received[1].headers["x-auditrelay-attempt"] == "2")
            #expect(received[1].text == received[0].text)
        }
    }

    @Test func aRetryAskedForDuringAnAttemptIsNotLost() async throws {
        let calls = Counter()
        try await withReceivingRelay(
            respond: { _ in
                calls.next() == 1
                    ? ReceiverReply(status: 400, body: "slow refusal", delay: .seconds(2))
                    : ReceiverReply(status: 200)
            },
            webhooks: { [try hook("busy", url: $0.url())] },
            configure: { $0.delivery.timeout = RelayDuration(milliseconds: 10_000) }
        ) { relay, receiver in
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"busy-1"}"#).status == 202)
            let first = try #require(try await receiver.waitForRequests(1).first)
            let messageID = try #require(first.headers["x-auditrelay-message-id"])
            // The first attempt is still waiting for its answer.
            let reply = try await relay.request(method: .POST, path: "/v1/messages/\(messageID)/retry")
            #expect(ContinuousClock.now - first.receivedAt < .milliseconds(1500), "asked too late to test this")
            let attempt = try #require(try await waitForAttempts(relay, 1).last)
            #expect(attempt.outcome == .failed, "\(attempt)")
            // Refused, saying why: the running attempt's outcome decides what happens next.
            expectProblem(reply, status: 409)
            #expect(reply.members["detail"]?.string?.contains("in progress") == true)
            // Once the attempt has finished, the same request queues it again.
            let again = try await relay.request(method: .POST, path: "/v1/messages/\(messageID)/retry")
            #expect(again.status == 202)
            let delivered = await eventually(timeout: .seconds(5)) { receiver.requests().count >= 2 }
            #expect(delivered)
        }
    }

    @Test func retryOfAnUnknownMessageIsA404() async throws {
        try await withReceivingRelay(webhooks: { [try hook("quiet", url: $0.url())] }) { relay, receiver in
            for id in ["msg_missing", "msg_01ARZ3NDEKTSV4RRFFQ69G5FAV", "att_1", "evt-1"] {
                let reply = try await relay.request(method: .POST, path: "/v1/messages/\(id)/retry")
                expectProblem(reply, status: 404)
                #expect(reply.members["detail"] == .string("no message has the id \(id)"))
            }
            #expect(receiver.requests().isEmpty)
        }
    }

    @Test func dryRunReportsWithoutSendingAndReplayDeliversTheSameMessagesAgain() async throws {
        try await withReceivingRelay(webhooks: { receiver in
            [
                try hook("replay-hook", url: receiver.url("/replay"), events: ["user.*"]),
                try hook("bystander", url: receiver.url("/bystander"), events: ["user.*"]),
            ]
        }) { relay, receiver in
            let webhookID = try #require(try await relay.webhookList().first { $0.name == "replay-hook" }).id
            let since = RFC3339.format(millis: nowMillis() - 1000)
            let events = (1...3).map { #"{"type":"user.login","id":"replay-\#($0)","n":\#($0)}"# }
            #expect(try await relay.postEvents("[" + events.joined(separator: ",") + "]").status == 202)
            let originals = try await receiver.waitForRequests(3, path: "/replay")
            _ = try await receiver.waitForRequests(3, path: "/bystander")
            _ = try await waitForAttempts(relay, 6, query: "status=delivered")
            let byMessage = Dictionary(
                originals.map { ($0.headers["x-auditrelay-message-id"] ?? "", $0) }, uniquingKeysWith: { a, _ in a }
            )
            let inOrder = originals.sorted {
                Int($0.headers["x-auditrelay-sequence"] ?? "") ?? 0 < Int($1.headers["x-auditrelay-sequence"] ?? "")
                    ?? 0
            }.map { $0.headers["x-auditrelay-message-id"] ?? "" }

            let attemptsBefore = try await deliveryPage(relay, "limit=1000").deliveries.count
            let dryRun = try await replay(relay, webhookID, #"{"since":"\#(since)","dryRun":true}"#)
            #expect(dryRun.status == 200, "\(dryRun.body)")
            let report = try dryRun.decoded(ReplayResult.self)
            #expect(report.dryRun == true)
            #expect(report.count == 3)
            #expect(report.messageIds == inOrder, "the messages, oldest first")
            let store = try relay.openStore()
            #expect(try await store.pendingDepth() == 0, "a dry run queued something")
            #expect(receiver.requests(path: "/replay").count == 3, "a dry run sent something")
            let attemptsAfter = try await deliveryPage(relay, "limit=1000").deliveries.count
            #expect(attemptsAfter == attemptsBefore, "a dry run queued something")

            let queued = try await replay(relay, webhookID, #"{"since":"\#(since)"}"#)
            #expect(queued.status == 202, "\(queued.body)")
            let queuedReport = try queued.decoded(ReplayResult.self)
            #expect(queuedReport.dryRun == false)
            #expect(queuedReport.count == 3)
            #expect(queuedReport.messageIds == inOrder)
            let replayed = Array(try await receiver.waitForRequests(6, path: "/replay").dropFirst(3))
            #expect(Set(replayed.map { $0.headers["x-auditrelay-message-id"] ?? "" }) == Set(inOrder))
            for request in replayed {
                let original = try #require(byMessage[request.headers["x-auditrelay-message-id"] ?? ""])
                #expect(request.text == original.text, "the same body")
                #expect(request.headers["x-auditrelay-sequence"] == original.headers["x-auditrelay-sequence"])
                let originalAttempt = Int(original.headers["x-auditrelay-attempt"] ?? "") ?? 0
                #expect(Int(request.headers["x-auditrelay-attempt"] ?? "") == originalAttempt + 1)
            }
            let logged = try await waitForAttempts(relay, 6, query: "webhook=replay-hook&status=delivered")
            #expect(logged.count == 6, "each message delivered once originally and once replayed")
            #expect(Set(logged.map(\.messageId)) == Set(inOrder))
            #expect(try await eventually { try await store.pendingDepth() == 0 })
            #expect(receiver.requests(path: "/replay").count == 6, "each message is replayed once")
            #expect(receiver.requests(path: "/bystander").count == 3, "replay is for one webhook only")

            let later = RFC3339.format(millis: nowMillis() + 60_000)
            let nothing = try await replay(relay, webhookID, #"{"since":"\#(later)","dryRun":true}"#)
            let none = try nothing.decoded(ReplayResult.self)
            #expect(none.count == 0)
            #expect(none.messageIds == [])
        }
    }

    @Test func replayCanBeLimitedByStatusAndUntil() async throws {
        try await withReceivingRelay(
            respond: { request in
                request.text.contains(#""fail":true"#) ? ReceiverReply(status: 400) : ReceiverReply(status: 200)
            },
            webhooks: { [try hook("mixed", url: $0.url())] }
        ) { relay, receiver in
            let webhookID = try #require(try await relay.webhookList().first?.id)
            let start = RFC3339.format(millis: nowMillis() - 1000)
            #expect(
                try await relay.postEvents(#"[{"type":"a.b","id":"m-1"},{"type":"a.b","id":"m-2","fail":true}]"#)
                    .status == 202)
            _ = try await waitForAttempts(relay, 2)
            try await Task.sleep(for: .milliseconds(30))
            let middle = RFC3339.format(millis: nowMillis())
            try await Task.sleep(for: .milliseconds(30))
            #expect(
                try await relay.postEvents(#"[{"type":"a.b","id":"m-3"},{"type":"a.b","id":"m-4","fail":true}]"#)
                    .status == 202)
            let all = try await waitForAttempts(relay, 4)
            func message(_ eventID: String) -> String {
                all.first { $0.eventId == eventID }?.messageId ?? "?"
            }

            let cases: [(String, [String])] = [
                (#""since":"\#(start)","status":"failed""#, ["m-2", "m-4"]),
                (#""since":"\#(start)","status":"delivered""#, ["m-1", "m-3"]),
                (#""since":"\#(start)","until":"\#(middle)""#, ["m-1", "m-2"]),
                (#""since":"\#(middle)""#, ["m-3", "m-4"]),
                (#""since":"\#(start)","until":"\#(middle)","status":"failed""#, ["m-2"]),
                (#""since":"\#(start)","status":"expired""#, []),
            ]
            for (members, events) in cases {
                let reply = try await replay(relay, webhookID, "{\(members),\"dryRun\":true}")
                #expect(reply.status == 200, "\(members): \(reply.body)")
                let report = try reply.decoded(ReplayResult.self)
                #expect(report.count == events.count, "\(members)")
                #expect(report.messageIds == events.map(message), "\(members)")
            }
            #expect(receiver.requests().count == 4, "a dry run sent something")

            let only = try await replay(
                relay, webhookID, #"{"since":"\#(start)","until":"\#(middle)","status":"failed"}"#)
            #expect(only.status == 202, "\(only.body)")
            #expect(try only.decoded(ReplayResult.self).messageIds == [message("m-2")])
            let again = try await receiver.waitForRequests(5)[4]
            #expect(again.headers["x-auditrelay-message-id"] == message("m-2"))
            #expect(again.headers["x-auditrelay-attempt"] == "2")
            let store = try relay.openStore()
            #expect(try await eventually { try await store.pendingDepth() == 0 })
            #expect(receiver.requests().count == 5, "only the failed message before until was replayed")
        }
    }

    @Test func badReplayRequestsAreRefusedNamingTheField() async throws {
        try await withAdminRelay(webhooks: [try hook("target", url: "https://siem.example.com/in")]) { relay in
            let webhookID = try #require(try await relay.webhookList().first?.id)
            let since = #""since":"2026-01-01T00:00:00Z""#
            let cases: [(String, String)] = [
                ("{}", "since"), (#"{"dryRun":true}"#, "since"), (#"{"since":"yesterday"}"#, "since"),
                (#"{"since":1700000000}"#, "since"), (#"{"since":null}"#, "since"),
                ("{\(since),\"until\":\"soon\"}", "until"), ("{\(since),\"status\":\"retrying\"}", "status"),
                ("{\(since),\"status\":\"pending\"}", "status"), ("{\(since),\"status\":7}", "status"),
                ("{\(since),\"dryRun\":\"yes\"}", "dryRun"), ("{\(since),\"dryRun\":1}", "dryRun"),
                ("{\(since),\"webhook\":\"other\"}", "webhook"),
            ]
            for (body, field) in cases {
                expectInvalid(try await replay(relay, webhookID, body), field: field)
            }
            for body in ["not json", "[]", ""] {
                let reply = try await replay(relay, webhookID, body)
                #expect([400, 422].contains(reply.status), "\(body): \(reply.status) \(reply.body)")
                #expect(reply.headers["content-type"] == "application/problem+json")
            }
            let unknown = try await replay(relay, "wh_missing", "{\(since),\"dryRun\":true}")
            expectProblem(unknown, status: 404)
        }
    }
}

/// `POST /v1/webhooks/{id}/replay` with `body`.
func replay(_ relay: some TestRelay, _ webhookID: String, _ body: String) async throws -> HTTPReply {
    try await relay.request(method: .POST, path: "/v1/webhooks/\(webhookID)/replay", body: body)
}

/// Now, in Unix milliseconds.
func nowMillis() -> Int64 {
    Int64(Date().timeIntervalSince1970 * 1000)
}
