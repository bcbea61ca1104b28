import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RelayCore
import RelayTestSupport
import Synchronization
import Testing

@testable import RelayCLI

/// `GET /v1/deliveries/stream`: live Server-Sent Events of new attempts, filtered like the list,
/// resumable with `Last-Event-ID`, and ended cleanly when the relay shuts down (SPEC §7).
@Suite(.timeLimit(.minutes(1))) struct DeliveryStreamTests {
    @Test func aNewAttemptArrivesAsAnEventWhileConnected() async throws {
        try await withReceivingRelay(respond: answerByPath, webhooks: { [try hook("live", url: $0.url("/ok"))] }) {
            relay, receiver in
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"before"}"#).status == 202)
            let earlier = try await waitForAttempts(relay, 1)

            let stream = try await DeliveryStreamClient.connect(to: relay)
            defer { stream.cancel() }
            #expect(stream.status == 200)
            #expect(stream.headers["content-type"]?.hasPrefix("text/event-stream") == true)
            #expect(stream.headers["cache-control"] == "no-cache")

            #expect(try await relay.postEvents(#"{"type":"user.login","id":"live-1"}"#).status == 202)
            let events = try await stream.waitForEvents(1)
            let sent = try #require(receiver.requests().last)
            // Live, not at the next reconnect: the stream polls every 250 ms; the bound is loose
            // because the suite runs on two busy cores (the benchmark measures latency).
            let latency = events[0].arrivedAt - sent.receivedAt
            #expect(latency < .seconds(5), "the attempt reached the stream \(latency) after the request")

            let listed = try await waitForAttempts(relay, 2)
            let attempt = try #require(listed.first)
            #expect(attempt.eventId == "live-1")
            #expect(events[0].id == attempt.id, "the event id is the attempt id (att_N)")
            #expect(attemptNumber(events[0].id) != nil)
            #expect(events[0].attempt == attempt, "data is the attempt as the list shows it")
            let listedMembers = try await listedAttemptMembers(relay)
            #expect(
                events[0].jsonValue != nil && events[0].jsonValue == listedMembers[attempt.id].map(JSONValue.object),
                "data is the attempt exactly as the list writes it")
            #expect(stream.blocks.contains("id: \(events[0].id ?? "")\nevent: attempt\ndata: \(events[0].data)"))
            #expect(!stream.raw.contains(earlier[0].id), "an earlier attempt was sent")

            #expect(try await relay.postEvents(#"{"type":"user.login","id":"live-2"}"#).status == 202)
            let next = try await stream.waitForEvents(2)
            #expect(next[1].attempt?.eventId == "live-2")
            #expect(attemptNumber(next[1].id) ?? 0 > attemptNumber(next[0].id) ?? .max)
            #expect(stream.failure == nil)
        }
    }

    @Test func theStreamAppliesTheListFilters() async throws {
        try await withSeededLog { log in
            let relay = log.relay
            let okID = try #require(log.webhookIDs["ok-hook"])
            let byName = try await DeliveryStreamClient.connect(to: relay, query: "webhook=ok-hook&type=user.logout")
            let byID = try await DeliveryStreamClient.connect(to: relay, query: "webhook=\(okID)")
            let failed = try await DeliveryStreamClient.connect(to: relay, query: "status=failed")
            let event = try await DeliveryStreamClient.connect(to: relay, query: "event=stream-3")
            let streams = [byName, byID, failed, event]
            defer { streams.forEach { $0.cancel() } }

            let body = """
                [{"type":"user.login","id":"stream-1"},{"type":"user.logout","id":"stream-2"},
                {"type":"user.logout","id":"stream-3"},{"type":"repo.deleted","id":"stream-4"}]
                """
            #expect(try await relay.postEvents(body).status == 202)
            // ok-hook: 3 delivered; bad-hook: 2 failed; fail-hook: retrying, retrying, expired.
            _ = try await waitForAttempts(relay, SeededLog.attemptCount + 8)
            _ = try await waitForAttempts(relay, 2, query: "status=expired")
            _ = try await byID.waitForEvents(3)
            _ = try await failed.waitForEvents(2)
            _ = try await event.waitForEvents(2)
            _ = try await byName.waitForEvents(2)
            // A fence: its attempts (ok-hook delivered, bad-hook failed) come after every attempt
            // above, so once a stream shows it, that stream has shown all it will of the others.
            // stream-3's two attempts are final (delivered, failed): the event stream gets no more.
            #expect(try await relay.postEvents(#"{"type":"user.logout","id":"fence"}"#).status == 202)
            for stream in [byName, byID, failed] {
                #expect(
                    try await eventually { stream.events.contains { $0.attempt?.eventId == "fence" } })
            }
            func eventIDs(_ stream: DeliveryStreamClient) -> [String] {
                stream.events.map { $0.attempt?.eventId ?? "" }.filter { $0 != "fence" }
            }

            #expect(Set(eventIDs(byName)) == ["stream-2", "stream-3"] && eventIDs(byName).count == 2)
            #expect(byName.events.allSatisfy { $0.attempt?.webhookName == "ok-hook" })
            #expect(Set(eventIDs(byID)) == ["stream-1", "stream-2", "stream-3"] && eventIDs(byID).count == 3)
            #expect(byID.events.allSatisfy { $0.attempt?.webhookId == okID })
            #expect(Set(eventIDs(failed)) == ["stream-2", "stream-3"] && eventIDs(failed).count == 2)
            #expect(failed.events.allSatisfy { $0.attempt?.outcome == .failed })
            #expect(Set(event.events.map { $0.attempt?.webhookName ?? "" }) == ["ok-hook", "bad-hook"])
            for stream in streams {
                let numbers = stream.events.map { attemptNumber($0.id) ?? 0 }
                #expect(numbers == numbers.sorted() && Set(numbers).count == numbers.count, "oldest first, once")
                #expect(numbers.allSatisfy { $0 > attemptNumber(log.all.first?.id) ?? .max }, "only new attempts")
            }
        }
    }

    @Test func reconnectingWithLastEventIDReplaysExactlyWhatWasMissed() async throws {
        let webhooks = { (receiver: TestReceiver) throws -> [WebhookSpec] in
            [
                try hook("resume-ok", url: receiver.url("/ok"), events: ["user.*"]),
                try hook("resume-bad", url: receiver.url("/bad"), events: ["repo.*"]),
            ]
        }
        try await withReceivingRelay(respond: answerByPath, webhooks: webhooks) { relay, _ in
            let first = try await DeliveryStreamClient.connect(to: relay)
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"r-1"}"#).status == 202)
            let seen = try await first.waitForEvents(1)
            let lastID = try #require(seen[0].id)
            first.cancel()
            #expect(await first.waitForEnd(), "the cancelled client is still reading")

            let missed = #"[{"type":"user.login","id":"r-2"},{"type":"repo.created","id":"r-3"}]"#
            #expect(try await relay.postEvents(missed).status == 202)
            let logged = try await waitForAttempts(relay, 3)
            let expected = logged.filter { (attemptNumber($0.id) ?? 0) > (attemptNumber(lastID) ?? .max) }
            #expect(Set(expected.map(\.eventId)) == ["r-2", "r-3"])

            let resumed = try await DeliveryStreamClient.connect(to: relay, lastEventID: lastID)
            defer { resumed.cancel() }
            let replayed = try await resumed.waitForEvents(2)
            #expect(replayed.map(\.id) == expected.reversed().map { $0.id as String? }, "missed ones, in order")
            let listedMembers = try await listedAttemptMembers(relay)
            for (event, attempt) in zip(replayed, expected.reversed()) {
                #expect(event.attempt == attempt)
                #expect(event.jsonValue != nil && event.jsonValue == listedMembers[attempt.id].map(JSONValue.object))
            }

            #expect(try await relay.postEvents(#"{"type":"user.login","id":"r-4"}"#).status == 202)
            let live = try await resumed.waitForEvents(3)
            #expect(live[2].attempt?.eventId == "r-4", "the resumed stream goes on live")
            // A fence: nothing came between r-4 and the next attempt.
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"r-5"}"#).status == 202)
            let fenced = try await resumed.waitForEvents(4)
            #expect(fenced.count == 4 && fenced[3].attempt?.eventId == "r-5", "\(fenced.map(\.id))")
            #expect(!resumed.events.contains { $0.id == lastID }, "the last seen attempt came again")

            let filtered = try await DeliveryStreamClient.connect(
                to: relay, query: "webhook=resume-bad", lastEventID: lastID)
            defer { filtered.cancel() }
            let onlyBad = try await filtered.waitForEvents(1)
            #expect(try await relay.postEvents(#"{"type":"repo.created","id":"r-6"}"#).status == 202)
            let fencedBad = try await filtered.waitForEvents(2)
            #expect(fencedBad.count == 2 && fencedBad[1].attempt?.eventId == "r-6", "only resume-bad's")
            #expect(onlyBad[0].attempt?.eventId == "r-3", "a resumed stream keeps its filters")
        }
    }

    @Test func gracefulShutdownEndsAConnectedStreamPromptly() async throws {
        let configuration = testConfiguration(directory: try TestFixtures.temporaryDirectory(), webhooks: [])
        let (clients, started) = try await withRelay(configuration) { relay in
            let stream = try await DeliveryStreamClient.connect(to: relay)
            let filtered = try await DeliveryStreamClient.connect(to: relay, query: "status=failed")
            #expect(stream.status == 200 && filtered.status == 200)
            try await Task.sleep(for: .milliseconds(300))
            #expect(!stream.ended && !filtered.ended, "the stream ended on its own")
            return ([stream, filtered], ContinuousClock.now)
        }
        let shutdown = ContinuousClock.now - started
        // A few seconds under load; a stream that held the shutdown would hold it until its client left.
        #expect(shutdown < .seconds(10), "graceful shutdown took \(shutdown) with stream clients connected")
        for client in clients {
            defer { client.cancel() }
            #expect(await client.waitForEnd(timeout: .seconds(3)), "the client still waits on a stopped relay")
            #expect(client.failure == nil, "the stream was cut off instead of ending: \(client.failure ?? "")")
            #expect(client.raw.hasPrefix(":"), "the stream opened with a comment: \(client.raw)")
        }
    }
}

// MARK: - A stream client

/// One Server-Sent Event read off the delivery stream.
struct StreamedEvent: Sendable {
    var id: String?
    var data: String
    /// When the chunk completing it arrived.
    var arrivedAt: ContinuousClock.Instant

    /// The data as the attempt it carries (`nil` when it is not one).
    var attempt: AttemptResource? { try? JSONDecoder().decode(AttemptResource.self, from: Data(data.utf8)) }

    /// The data as JSON, for comparisons of the exact members.
    var jsonValue: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(data.utf8)) }
}

/// A client of `GET /v1/deliveries/stream` that reads in a background task, parsing with the CLI's
/// ``ServerSentEventParser``. Every wait on it is bounded; ``cancel()`` stops the reader.
final class DeliveryStreamClient: Sendable {
    let status: Int
    /// Header names lower-cased.
    let headers: [String: String]
    private let state = Mutex(State())
    private let reader = Mutex<Task<Void, Never>?>(nil)

    private struct State {
        var events: [StreamedEvent] = []
        var raw = ""
        var ended = false
        var failure: String?
    }

    private init(status: Int, headers: [String: String]) {
        self.status = status
        self.headers = headers
    }

    /// Connects to the relay's stream with `query` (without `?`) and, when given, `Last-Event-ID`.
    static func connect(
        to relay: RunningRelay, query: String = "", lastEventID: String? = nil, token: String? = testAdminToken
    ) async throws -> DeliveryStreamClient {
        let suffix = query.isEmpty ? "" : "?\(query)"
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(relay.port)/v1/deliveries/stream\(suffix)")
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        // The time-out bounds the wait for the response head only; the body streams on.
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        let client = DeliveryStreamClient(status: Int(response.status.code), headers: headers)
        let body = response.body
        client.reader.withLock { $0 = Task { await client.read(body) } }
        return client
    }

    private func read(_ body: HTTPClientResponse.Body) async {
        var parser = ServerSentEventParser()
        do {
            for try await chunk in body {
                let now = ContinuousClock.now
                let bytes = Array(chunk.readableBytesView)
                let events = parser.feed(bytes).map { StreamedEvent(id: $0.id, data: $0.data, arrivedAt: now) }
                state.withLock {
                    $0.raw += String(decoding: bytes, as: UTF8.self)
                    $0.events += events
                }
            }
            state.withLock { $0.ended = true }
        } catch {
            state.withLock {
                $0.ended = true
                $0.failure = "\(error)"
            }
        }
    }

    /// Events received so far.
    var events: [StreamedEvent] { state.withLock { $0.events } }
    /// Everything received so far, as text.
    var raw: String { state.withLock { $0.raw } }
    /// The raw text split into event blocks (at blank lines).
    var blocks: [String] { raw.components(separatedBy: "\n\n") }
    /// Whether the body ended (normally or not).
    var ended: Bool { state.withLock { $0.ended } }
    /// Why reading the body failed, if it did.
    var failure: String? { state.withLock { $0.failure } }

    /// Waits (at most `timeout`) until `count` events have arrived; returns all received.
    func waitForEvents(
        _ count: Int, timeout: Duration = .seconds(5), sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> [StreamedEvent] {
        _ = await eventually(timeout: timeout, interval: .milliseconds(10)) { events.count >= count || ended }
        let received = events
        try #require(
            received.count >= count, "\(received.count) of \(count) stream events; ended: \(ended); raw: \(raw)",
            sourceLocation: sourceLocation)
        return received
    }

    /// Waits (at most `timeout`) until the body has ended; returns whether it did.
    func waitForEnd(timeout: Duration = .seconds(3)) async -> Bool {
        await eventually(timeout: timeout, interval: .milliseconds(10)) { ended }
    }

    /// Stops reading and closes the connection.
    func cancel() {
        reader.withLock { $0?.cancel() }
    }
}
