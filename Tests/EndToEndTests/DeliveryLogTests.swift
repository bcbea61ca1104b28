import Foundation
import NIOHTTP1
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

/// `GET /v1/deliveries` over a log seeded with real deliveries: fields, filters, time windows,
/// cursor paging and refusals (SPEC §7, §8).
@Suite(.timeLimit(.minutes(1))) struct DeliveryLogTests {
    @Test func everyAttemptIsListedNewestFirstWithItsFields() async throws {
        try await withSeededLog { log in
            #expect(log.all.count == SeededLog.attemptCount)
            let numbers = log.all.map { attemptNumber($0.id) ?? -1 }
            #expect(numbers == numbers.sorted(by: >), "newest first")
            #expect(Set(numbers).count == numbers.count)
            // Every member has its type: decoding an AttemptResource checks it; the list as written
            // shows whether a member without a value is present as null.
            let listed = try await listedAttemptMembers(log.relay)
            for attempt in log.all {
                let label = "\(attempt)"
                #expect(attempt.id.hasPrefix("att_"), "\(label)")
                #expect(attempt.messageId.hasPrefix("msg_"), "\(label)")
                #expect(!attempt.eventId.isEmpty, "\(label)")
                #expect(!attempt.eventType.isEmpty, "\(label)")
                #expect(log.webhookIDs[attempt.webhookName] == attempt.webhookId)
                #expect(attempt.attempt >= 1, "\(label)")
                #expect(isRFC3339(attempt.startedAt), "\(label)")
                #expect(attempt.durationMs >= 0, "\(label)")
                #expect(listed[attempt.id]?["responseBody"]?.string == attempt.responseBody, "\(label)")
                #expect(listed[attempt.id]?["outcome"] == .string(attempt.outcome.rawValue), "\(label)")
                switch attempt.outcome {
                case .retrying: #expect(isRFC3339(attempt.nextAttemptAt), "a retry has a time: \(label)")
                case .delivered, .failed, .expired:
                    #expect(
                        listed[attempt.id]?["nextAttemptAt"] == .null,
                        "a finished message has no next attempt: \(label)")
                case .paused, .disabled: break  // the queued message's due time, until resumed
                }
            }

            let delivered = try #require(log.all.first { $0.webhookName == "ok-hook" })
            #expect(delivered.httpStatus == 200)
            #expect(delivered.outcome == .delivered)
            #expect(delivered.responseBody == "ok")

            let failed = try #require(log.all.first { $0.webhookName == "bad-hook" })
            #expect(failed.httpStatus == 400)
            #expect(failed.eventId == "log-4")
            #expect(failed.eventType == "user.logout")
            #expect(failed.outcome == .failed)
            #expect(failed.responseBody == String(repeating: "b", count: 1024), "first 1 KiB only")

            let retried = log.all.filter { $0.webhookName == "fail-hook" }.reversed()
            #expect(retried.map(\.attempt) == [1, 2, 3])
            #expect(retried.map(\.outcome) == [.retrying, .retrying, .expired])
            #expect(Set(retried.map(\.messageId)).count == 1, "one message, three attempts")
            #expect(retried.allSatisfy { $0.httpStatus == 500 && $0.responseBody == "boom" })

            let everything = try await log.relay.request(method: .GET, path: "/v1/deliveries?limit=1000").body
            for secret in ["log-signing-secret", "log-sekret-credential", "Splunk log-"] {
                #expect(!everything.contains(secret), "the log shows \(secret)")
            }
        }
    }

    @Test func filtersByWebhookIdOrNameEventAndType() async throws {
        try await withSeededLog { log in
            let okID = try #require(log.webhookIDs["ok-hook"])
            let byID = try await log.page("webhook=\(okID)").deliveries
            let byName = try await log.page("webhook=ok-hook").deliveries
            #expect(byID.count == 4)
            #expect(ids(byID) == ids(log.all.filter { $0.webhookId == okID }))
            #expect(ids(byName) == ids(byID), "a webhook's name selects the same attempts as its id")
            #expect(try await log.page("webhook=no-such-hook").deliveries.isEmpty)

            let event = try await log.page("event=log-4").deliveries
            #expect(Set(event.map(\.webhookName)) == ["ok-hook", "bad-hook"])
            #expect(event.allSatisfy { $0.eventId == "log-4" })

            let logins = try await log.page("type=user.login").deliveries
            #expect(logins.count == 3)
            #expect(logins.allSatisfy { $0.eventType == "user.login" })
            let repo = try await log.page("type=repo.deleted").deliveries
            #expect(repo.count == 3)
            #expect(try await log.page("type=user.*").deliveries.isEmpty, "type is an exact event type")

            let combined = try await log.page("webhook=ok-hook&type=user.logout&status=delivered").deliveries
            #expect(combined.map(\.eventId) == ["log-4"])
        }
    }

    @Test func filtersByEachOutcome() async throws {
        try await withSeededLog { log in
            let expected: [(String, [String])] = [
                ("delivered", ["ok-hook", "ok-hook", "ok-hook", "ok-hook"]), ("retrying", ["fail-hook", "fail-hook"]),
                ("failed", ["bad-hook"]), ("paused", ["refuse-hook"]), ("disabled", ["gone-hook"]),
                ("expired", ["fail-hook"]),
            ]
            #expect(Set(expected.map(\.0)) == Set(AttemptOutcome.allCases.map(\.rawValue)))
            for (status, webhooks) in expected {
                let page = try await log.page("status=\(status)").deliveries
                #expect(page.map(\.webhookName) == webhooks, "status=\(status)")
                #expect(page.allSatisfy { $0.outcome.rawValue == status }, "status=\(status)")
            }
            let paused = try #require(try await log.page("status=paused").deliveries.first)
            #expect(paused.httpStatus == 403)
            let disabled = try #require(try await log.page("status=disabled").deliveries.first)
            #expect(disabled.httpStatus == 410)
        }
    }

    @Test func sinceAndUntilSelectAttemptsByStartTime() async throws {
        try await withSeededLog { log in
            let first = try #require(log.all.last)
            #expect(first.eventId == "log-1")
            let later = Array(log.all.dropLast())

            let since = try await log.page("since=\(encoded(log.middle))").deliveries
            #expect(ids(since) == ids(later))
            let until = try await log.page("until=\(encoded(log.middle))").deliveries
            #expect(ids(until) == ids([first]))

            // The same instant written with an offset selects the same attempts.
            let offset = try await log.page("since=\(encoded(withOffset(log.middleMillis)))").deliveries
            #expect(ids(offset) == ids(later))

            let startedAt = first.startedAt
            let atStart = try await log.page("since=\(encoded(startedAt))&until=\(encoded(log.middle))").deliveries
            #expect(ids(atStart) == ids([first]), "since is inclusive")
            let beforeStart = try await log.page("until=\(encoded(startedAt))").deliveries
            #expect(beforeStart.isEmpty, "until is exclusive")

            let future = RFC3339.format(millis: log.middleMillis + 3_600_000)
            #expect(try await log.page("since=\(encoded(future))").deliveries.isEmpty)
            let window = try await log.page("since=\(encoded(log.middle))&webhook=fail-hook&status=retrying").deliveries
            #expect(window.count == 2)
        }
    }

    @Test func limitAndCursorPageNewestFirstWithoutOverlap() async throws {
        try await withSeededLog { log in
            var pages: [[AttemptResource]] = []
            var cursor: String?
            repeat {
                let suffix = cursor.map { "&cursor=\($0)" } ?? ""
                let page = try await log.page("limit=3" + suffix)
                pages.append(page.deliveries)
                cursor = page.nextCursor
                try #require(pages.count <= SeededLog.attemptCount, "paging does not end")
            } while cursor != nil
            #expect(pages.map(\.count) == [3, 3, 3, 1])
            #expect(ids(pages.flatMap { $0 }) == ids(log.all), "pages, in order, are the whole log")
            for (earlier, later) in zip(pages, pages.dropFirst()) {
                let oldest = earlier.last.flatMap { attemptNumber($0.id) } ?? 0
                let newest = later.first.flatMap { attemptNumber($0.id) } ?? .max
                #expect(newest < oldest, "pages overlap or go out of order")
            }

            // Paging keeps the filters.
            var delivered: [AttemptResource] = []
            cursor = nil
            repeat {
                let page = try await log.page("status=delivered&limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                delivered += page.deliveries
                cursor = page.nextCursor
                try #require(delivered.count <= SeededLog.attemptCount, "paging does not end")
            } while cursor != nil
            #expect(ids(delivered) == ids(log.all.filter { $0.outcome == .delivered }))

            let one = try await log.page("limit=1")
            #expect(ids(one.deliveries) == ids(Array(log.all.prefix(1))))
            #expect(one.nextCursor != nil)
            let whole = try await log.relay.request(method: .GET, path: "/v1/deliveries?limit=1000")
            #expect(try whole.decoded(DeliveryPage.self).nextCursor == nil, "nextCursor is null when nothing is left")
            #expect(whole.members["nextCursor"] == .null, "nextCursor is present, as null")
        }
    }

    @Test func badFiltersAreA422NamingTheField() async throws {
        try await withSeededLog { log in
            let cases: [(String, String)] = [
                ("status=bogus", "status"), ("status=DELIVERED", "status"), ("since=yesterday", "since"),
                ("since=2026-13-01T00:00:00Z", "since"), ("until=1700000000", "until"), ("cursor=abc", "cursor"),
                ("cursor=att_x", "cursor"),
            ]
            for (filter, field) in cases {
                let reply = try await log.relay.request(method: .GET, path: "/v1/deliveries?\(filter)")
                expectInvalid(reply, field: field)
                // The stream takes the same filters (but no cursor: it would open and never end).
                guard field != "cursor" else { continue }
                let stream = try await log.relay.request(method: .GET, path: "/v1/deliveries/stream?\(filter)")
                expectInvalid(stream, field: field)
            }
            let both = try await log.relay.request(method: .GET, path: "/v1/deliveries?status=nope&since=nope")
            expectProblem(both, status: 422)
            #expect(both.errorFields == ["status", "since"], "every bad filter is named at once")
        }
    }

    @Test func theLogAndItsActionsNeedTheAdminToken() async throws {
        try await withSeededLog { log in
            let messageID = try #require(log.all.first?.messageId)
            let webhookID = try #require(log.webhookIDs["ok-hook"])
            let routes: [(HTTPMethod, String, String?)] = [
                (.GET, "/v1/deliveries", nil), (.GET, "/v1/deliveries?status=delivered", nil),
                (.GET, "/v1/deliveries/stream", nil), (.POST, "/v1/messages/\(messageID)/retry", nil),
                (.POST, "/v1/webhooks/\(webhookID)/replay", #"{"since":"2020-01-01T00:00:00Z"}"#),
            ]
            let store = try log.relay.openStore()
            let (attemptsBefore, pendingBefore) = (try await store.attempts().count, try await store.pendingDepth())
            let before = log.receiver.requests().count
            for (method, path, body) in routes {
                for token in [nil, "wrong-token", testIngestToken] {
                    let reply = try await log.relay.request(method: method, path: path, body: body, token: token)
                    expectProblem(reply, status: 401)
                    #expect(!reply.body.contains("msg_") && !reply.body.contains("att_"), "\(path): \(reply.body)")
                }
            }
            // A retry or replay would have queued its messages before answering.
            #expect(try await store.pendingDepth() == pendingBefore, "a refused retry or replay queued something")
            #expect(try await store.attempts().count == attemptsBefore, "a refused retry or replay sent something")
            #expect(log.receiver.requests().count == before)
        }
    }
}

// MARK: - A seeded delivery log

/// A relay whose log holds real attempts of every outcome, from five webhooks on one receiver:
///
/// | webhook | answers | events | attempts |
/// |---|---|---|---|
/// | ok-hook | 200 | `user.*` | log-1, log-2, log-3 (user.login), log-4 (user.logout): delivered |
/// | bad-hook | 400 (3000 bytes) | `user.logout` | log-4: failed |
/// | fail-hook | 500 | `repo.*` | log-5: retrying, retrying, expired |
/// | gone-hook | 410 | `billing.*` | log-6: disabled |
/// | refuse-hook | 403 | `billing.*` | log-6: paused |
///
/// `log-1` is delivered before `middle`; everything else starts after it.
struct SeededLog {
    static let attemptCount = 10

    let relay: RunningRelay
    let receiver: TestReceiver
    /// Webhook name → id.
    let webhookIDs: [String: String]
    /// Every attempt, as `GET /v1/deliveries` lists them (newest first).
    let all: [AttemptResource]
    /// A time after log-1's attempt and before every other attempt.
    let middleMillis: Int64
    var middle: String { RFC3339.format(millis: middleMillis) }

    /// `GET /v1/deliveries?<query>`, which must answer 200.
    func page(_ query: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> DeliveryPage {
        try await deliveryPage(relay, query, sourceLocation: sourceLocation)
    }
}

/// `GET /v1/deliveries?<query>`, which must answer 200 with a page of attempts.
func deliveryPage(
    _ relay: some TestRelay, _ query: String = "", sourceLocation: SourceLocation = #_sourceLocation
) async throws -> DeliveryPage {
    try await relay.get(
        "/v1/deliveries" + (query.isEmpty ? "" : "?\(query)"), as: DeliveryPage.self, sourceLocation: sourceLocation)
}

/// The members of every attempt `GET /v1/deliveries?limit=1000` lists, exactly as written, by id:
/// for checks of the wire shape (a member present as `null`) and of other views of the same attempts.
func listedAttemptMembers(_ relay: some TestRelay) async throws -> [String: [String: JSONValue]] {
    let reply = try await relay.request(method: .GET, path: "/v1/deliveries?limit=1000")
    try #require(reply.status == 200, "\(reply.status) \(reply.body)")
    guard case .array(let entries)? = reply.members["deliveries"] else { return [:] }
    var byID: [String: [String: JSONValue]] = [:]
    for case .object(let members) in entries {
        if let id = members["id"]?.string { byID[id] = members }
    }
    return byID
}

/// Waits (at most `timeout`) until `GET /v1/deliveries?<query>` lists at least `count` attempts; returns them.
func waitForAttempts(
    _ relay: some TestRelay, _ count: Int, query: String = "", timeout: Duration = .seconds(10),
    sourceLocation: SourceLocation = #_sourceLocation
) async throws -> [AttemptResource] {
    let separator = query.isEmpty ? "" : "&"
    var attempts: [AttemptResource] = []
    let arrived = try await eventually(timeout: timeout) {
        attempts = try await deliveryPage(relay, query + separator + "limit=1000").deliveries
        return attempts.count >= count
    }
    try #require(arrived, "\(attempts.count) of \(count) attempts for '\(query)'", sourceLocation: sourceLocation)
    return attempts
}

/// What the seeding receiver answers, by path.
let answerByPath: @Sendable (ReceivedRequest) async -> ReceiverReply = { request in
    switch request.path {
    case "/ok": ReceiverReply(status: 200, body: "ok")
    case "/bad": ReceiverReply(status: 400, body: String(repeating: "b", count: 3000))
    case "/fail": ReceiverReply(status: 500, body: "boom")
    case "/gone": ReceiverReply(status: 410, body: "gone")
    case "/refuse": ReceiverReply(status: 403, body: "refused")
    default: ReceiverReply(status: 200)
    }
}

/// Runs `body` with a relay whose log is seeded as ``SeededLog`` describes.
func withSeededLog(_ body: (SeededLog) async throws -> Void) async throws {
    let webhooks = { (receiver: TestReceiver) throws -> [WebhookSpec] in
        var ok = try hook("ok-hook", url: receiver.url("/ok"), events: ["user.*"])
        ok.secrets = ["log-signing-secret"]
        ok.authorization = "Splunk log-sekret-credential"
        return [
            ok, try hook("bad-hook", url: receiver.url("/bad"), events: ["user.logout"]),
            try hook("fail-hook", url: receiver.url("/fail"), events: ["repo.*"]),
            try hook("gone-hook", url: receiver.url("/gone"), events: ["billing.*"]),
            try hook("refuse-hook", url: receiver.url("/refuse"), events: ["billing.*"]),
        ]
    }
    try await withReceivingRelay(respond: answerByPath, webhooks: webhooks) { relay, receiver in
        var webhookIDs: [String: String] = [:]
        for webhook in try await relay.webhookList() {
            webhookIDs[webhook.name] = webhook.id
        }
        #expect(try await relay.postEvents(#"{"type":"user.login","id":"log-1"}"#).status == 202)
        _ = try await waitForAttempts(relay, 1)
        try await Task.sleep(for: .milliseconds(30))
        let middle = Int64(Date().timeIntervalSince1970 * 1000)
        try await Task.sleep(for: .milliseconds(30))
        let rest = """
            [{"type":"user.login","id":"log-2"},{"type":"user.login","id":"log-3"},
            {"type":"user.logout","id":"log-4"},{"type":"repo.deleted","id":"log-5"},
            {"type":"billing.charge","id":"log-6"}]
            """
        #expect(try await relay.postEvents(rest).status == 202)
        _ = try await waitForAttempts(relay, 1, query: "status=expired")
        let all = try await waitForAttempts(relay, SeededLog.attemptCount)
        try #require(all.count == SeededLog.attemptCount, "unexpected attempts: \(all)")
        try await body(
            SeededLog(relay: relay, receiver: receiver, webhookIDs: webhookIDs, all: all, middleMillis: middle))
    }
}

/// The number of an `att_N` id.
func attemptNumber(_ id: String?) -> Int64? {
    id.flatMap(AttemptResource.number)
}

/// The `id`s of attempts, in order.
func ids(_ attempts: [AttemptResource]) -> [String] {
    attempts.map(\.id)
}

/// `text` percent-encoded for a query string (`+` and `:` included).
func encoded(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
}

/// The instant `millis` written in RFC 3339 with a `+02:00` offset.
func withOffset(_ millis: Int64) -> String {
    let shifted = RFC3339.format(millis: millis + 2 * 3_600_000)
    return String(shifted.dropLast()) + "+02:00"
}
