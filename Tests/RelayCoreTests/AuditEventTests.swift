import Foundation
import RelayCore
import Testing

/// SPEC §2: every member is kept exactly as sent; the relay only inserts a missing `id` or `time`.
@Suite("AuditEvent")
struct AuditEventTests {
    private static let receivedAt: Int64 = 1_795_514_400_123
    private static let receivedText = "2026-11-24T10:00:00.123Z"

    private func incoming(_ json: String) throws -> IncomingEvent {
        let events = try IngestParser.parse(Array(json.utf8), as: .json, limits: IngestLimits())
        return try #require(events.first)
    }

    private func stored(_ json: String) throws -> AuditEvent {
        try incoming(json).stored(receivedAt: Self.receivedAt, makeID: { _ in "evt_TEST" })
    }

    private func members(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("With id and time, the bytes are kept exactly")
    func keepsBytes() throws {
        let json = #"{ "time" : "2026-11-24T12:00:00+02:00", "type":"a",  "id":"e-1", "n":1.0e2, "s":"\u00e9" }"#
        let event = try stored(json)
        #expect(event.body == Data(json.utf8))
        #expect(event.id == "e-1")
        #expect(event.type == "a")
        #expect(event.occurredAt == 1_795_514_400_000)
    }

    @Test("Without id and time, both are inserted as the first members")
    func insertsBoth() throws {
        let json = #"{"type":"user.login","actor":{"id":"u1","name":"Ann"},"n":1.50,"data":[1,"x",null]}"#
        let event = try stored(json)
        let expected = #"{"id":"evt_TEST","time":"\#(Self.receivedText)","# + json.dropFirst()
        #expect(String(decoding: event.body, as: UTF8.self) == expected)
        #expect(event.id == "evt_TEST")
        #expect(event.occurredAt == Self.receivedAt)
        let original = try members(Data(json.utf8))
        var result = try members(event.body)
        #expect(result.removeValue(forKey: "id") as? String == "evt_TEST")
        #expect(result.removeValue(forKey: "time") as? String == Self.receivedText)
        #expect(NSDictionary(dictionary: result).isEqual(to: original))
    }

    @Test("Only a missing id is inserted")
    func insertsID() throws {
        let json = #"{"type":"a","time":"2026-01-01T00:00:00Z","x":{"y":[]}}"#
        let event = try stored(json)
        #expect(String(decoding: event.body, as: UTF8.self) == #"{"id":"evt_TEST","# + json.dropFirst())
        #expect(event.occurredAt == RFC3339.parseMillis("2026-01-01T00:00:00Z"))
        _ = try members(event.body)
    }

    @Test("Only a missing time is inserted")
    func insertsTime() throws {
        let json = #"{"id":"sender-id","type":"a"}"#
        let event = try stored(json)
        let expected = #"{"time":"\#(Self.receivedText)","# + json.dropFirst()
        #expect(String(decoding: event.body, as: UTF8.self) == expected)
        #expect(event.id == "sender-id")
        #expect(event.occurredAt == Self.receivedAt)
    }

    @Test("Whitespace after the opening brace is kept")
    func keepsLeadingWhitespace() throws {
        let json = "{\n  \"type\": \"a\",\n  \"id\": \"x\"\n}"
        let event = try stored(json)
        #expect(String(decoding: event.body, as: UTF8.self) == #"{"time":"\#(Self.receivedText)","# + json.dropFirst())
        _ = try members(event.body)
    }

    @Test("An empty object gets no dangling comma", arguments: ["{}", "{ \n }"])
    func emptyObject(json: String) throws {
        let event = IncomingEvent(id: nil, type: "a", occurredAt: nil, object: Array(json.utf8))
            .stored(receivedAt: Self.receivedAt, makeID: { _ in "evt_E" })
        let prefix = #"{"id":"evt_E","time":"\#(Self.receivedText)""#
        #expect(String(decoding: event.body, as: UTF8.self) == prefix + json.dropFirst())
        let result = try members(event.body)
        #expect(result.count == 2)
        #expect(result["id"] as? String == "evt_E")
    }

    @Test("makeID is given the time of receipt")
    func makeIDGetsReceivedAt() throws {
        var seen: Int64?
        _ = try incoming(#"{"type":"a"}"#).stored(receivedAt: Self.receivedAt) { millis in
            seen = millis
            return "evt_X"
        }
        #expect(seen == Self.receivedAt)
    }

    @Test("The default id is a relay identifier")
    func defaultID() throws {
        let event = try incoming(#"{"type":"a"}"#).stored(receivedAt: Self.receivedAt)
        #expect(event.id.hasPrefix("evt_"))
        #expect(event.id.count == 4 + 26)
        #expect(try members(event.body)["id"] as? String == event.id)
    }

    @Test("Every parsed event of a batch is stored with its own members")
    func batch() throws {
        let objects = [#"{"type":"a","k":1}"#, #"{"type":"b","id":"i2","k":"two"}"#]
        let events = try IngestParser.parse(
            Array(("[" + objects.joined(separator: ",") + "]").utf8), as: .json, limits: IngestLimits())
        let stored = events.map { $0.stored(receivedAt: Self.receivedAt, makeID: { _ in "evt_B" }) }
        #expect(try members(stored[0].body)["k"] as? Int == 1)
        #expect(try members(stored[1].body)["k"] as? String == "two")
        #expect(stored[1].id == "i2")
    }
}
