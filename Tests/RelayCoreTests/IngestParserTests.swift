import RelayCore
import Testing

/// Parses `text` as an ingest body; shared by the ingest test files.
func parseIngest(_ text: String, as type: IngestContentType, limits: IngestLimits = IngestLimits()) throws(RelayProblem)
    -> [IncomingEvent]
{
    try IngestParser.parse(Array(text.utf8), as: type, limits: limits)
}

/// SPEC §2: the four body formats, each event kept byte for byte.
@Suite("IngestParser: accepted bodies")
struct IngestParserTests {
    /// Objects whose exact bytes must survive: odd spacing, escapes, number spellings, key order.
    private let objects = [
        #"{"type":"user.login","actor":{"id":"u1"}}"#,
        #"{ "z" : 1.50e+2 , "type" : "repo.create", "a":"\u00e9\"}],{[" ,"nested":[{"x":[]},null,true]}"#,
        #"{"id":"evt-7","time":"2026-11-24T10:00:00.123Z","type":"a:b/c-d_e","data":"é ☃ 😀"}"#,
    ]

    @Test("application/json: one object, surrounding whitespace removed")
    func jsonSingle() throws {
        let events = try parseIngest(" \n\t" + objects[1] + "\r\n ", as: .json)
        try #require(events.count == 1)
        #expect(events[0].object == Array(objects[1].utf8))
        #expect(events[0].type == "repo.create")
        #expect(events[0].id == nil)
        #expect(events[0].occurredAt == nil)
    }

    @Test("application/json: an array, every element byte for byte")
    func jsonArray() throws {
        let body = "[\n  " + objects.joined(separator: " ,\n  ") + "\n]"
        let events = try parseIngest(body, as: .json)
        #expect(events.map(\.object) == objects.map { Array($0.utf8) })
        #expect(events.map(\.type) == ["user.login", "repo.create", "a:b/c-d_e"])
        #expect(events[2].id == "evt-7")
        #expect(events[2].occurredAt == 1_795_514_400_123)
    }

    @Test("application/json: a one-element array")
    func jsonArrayOfOne() throws {
        let events = try parseIngest("[" + objects[0] + "]", as: .json)
        #expect(events.map(\.object) == [Array(objects[0].utf8)])
    }

    @Test("application/x-ndjson: blank lines and CRLF are tolerated")
    func ndjson() throws {
        let body = "\r\n" + objects[0] + "\r\n\r\n   \n" + objects[1] + "\n\t\n" + objects[2] + "\r\n"
        let events = try parseIngest(body, as: .ndjson)
        #expect(events.map(\.object) == objects.map { Array($0.utf8) })
        #expect(events.map(\.type) == ["user.login", "repo.create", "a:b/c-d_e"])
    }

    @Test("application/x-ndjson: a last line without a newline")
    func ndjsonWithoutFinalNewline() throws {
        let events = try parseIngest(objects[0] + "\n" + objects[2], as: .ndjson)
        #expect(events.map(\.object) == [Array(objects[0].utf8), Array(objects[2].utf8)])
    }

    private static let cloudEvent =
        #"{"specversion":"1.0","id":"ce-1","source":"/billing","type":"com.example.invoice.paid","#
        + #""time":"2026-11-24T12:00:00+02:00","datacontenttype":"application/json","data":{"amount":12.5}}"#

    @Test("application/cloudevents+json: one structured CloudEvent")
    func cloudEvent() throws {
        let events = try parseIngest(Self.cloudEvent + "\n", as: .cloudEvent)
        try #require(events.count == 1)
        #expect(events[0].object == Array(Self.cloudEvent.utf8))
        #expect(events[0].id == "ce-1")
        #expect(events[0].type == "com.example.invoice.paid")
        #expect(events[0].occurredAt == 1_795_514_400_000)
    }

    @Test("application/cloudevents-batch+json: an array of CloudEvents")
    func cloudEventBatch() throws {
        let second = #"{"specversion":"1.0","id":"ce-2","source":"urn:x","type":"t"}"#
        let events = try parseIngest("[" + Self.cloudEvent + ", " + second + "]", as: .cloudEventBatch)
        #expect(events.map(\.object) == [Array(Self.cloudEvent.utf8), Array(second.utf8)])
        #expect(events.map(\.id) == ["ce-1", "ce-2"])
        #expect(events[1].occurredAt == nil)
    }

    @Test("Limits are inclusive: exactly maxEventsPerRequest and maxEventBytes are accepted")
    func limitsAreInclusive() throws {
        let object = #"{"type":"a"}"#
        let limits = IngestLimits(maxEventsPerRequest: 3, maxEventBytes: object.utf8.count)
        let events = try parseIngest(
            "[" + Array(repeating: object, count: 3).joined(separator: ",") + "]",
            as: .json, limits: limits)
        #expect(events.count == 3)
    }

    @Test("Boundary values for type and id are accepted")
    func boundaryValues() throws {
        let type = String(repeating: "t", count: 200)
        let id = "ü" + String(repeating: "i", count: 199)
        let events = try parseIngest(#"{"type":"\#(type)","id":"\#(id)"}"#, as: .json)
        #expect(events.first?.type == type)
        #expect(events.first?.id == id)
    }

    @Test("Default limits match SPEC §1")
    func defaultLimits() {
        #expect(IngestLimits() == IngestLimits(maxEventsPerRequest: 10_000, maxEventBytes: 1_048_576))
    }
}
