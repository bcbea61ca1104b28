import Foundation
import Testing

@testable import RelayCore

/// SPEC §6: request bodies in each custom format, checked against the vendors' documented examples, and how
/// `BatchSettings` cuts a run of messages into requests.
@Suite("MessageLayout")
struct MessageLayoutTests {
    /// 2024-11-24T10:00:00.123Z.
    private static let occurredAt: Int64 = 1_732_442_400_123

    private static func webhook(
        _ format: MessageFormat, kind: WebhookKind = .custom, splunk: SplunkFields? = nil,
        batch: BatchSettings? = nil
    ) -> Webhook {
        Webhook(
            id: "wh_1", name: "dest", kind: kind, url: "https://collector.example.com/in", events: [],
            format: format, splunk: splunk, batch: batch, createdAt: 0, updatedAt: 0)
    }

    private static func event(
        _ json: String, id: String = "evt_1", type: String = "user.login", occurredAt: Int64 = occurredAt
    ) -> AuditEvent {
        AuditEvent(id: id, type: type, occurredAt: occurredAt, body: Data(json.utf8))
    }

    private static func events(_ count: Int) -> [AuditEvent] {
        (0..<count).map { index in
            event(
                #"{"id":"evt_\#(index)","type":"user.login","n":\#(index)}"#, id: "evt_\(index)",
                occurredAt: occurredAt + Int64(index))
        }
    }

    private static func jsonObject(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    /// Splits concatenated JSON objects (`{…}{…}`) the way Splunk HEC reads a batch: by bracket depth, outside
    /// strings.
    private static func splitObjects(_ bytes: [UInt8]) -> [[UInt8]] {
        var objects: [[UInt8]] = []
        var current: [UInt8] = []
        var depth = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if depth == 0, byte != UInt8(ascii: "{") { continue }
            current.append(byte)
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 {
                    objects.append(current)
                    current = []
                }
            default: break
            }
        }
        return objects
    }

    // MARK: splunk-hec

    @Test("splunk-hec: the envelope of Splunk's documented example, field by field")
    func splunkEnvelopeFields() throws {
        // docs: {"time": 1426279439, "host": "localhost", "source": "random-data-generator",
        //        "sourcetype": "my_sample_data", "index": "main", "event": "Hello world!"}
        let fields = SplunkFields(
            source: "random-data-generator", sourcetype: "my_sample_data", index: "main", host: "localhost")
        let layout = MessageLayout(for: Self.webhook(.splunkHEC, splunk: fields))
        let body = #"{"id":"evt_1","type":"user.login","message":"Hello world!"}"#
        let piece = layout.piece(Self.event(body, occurredAt: 1_426_279_439_000))
        let object = try Self.jsonObject(piece)
        #expect(Set(object.keys) == ["time", "host", "source", "sourcetype", "index", "event"])
        #expect(object["time"] as? Double == 1_426_279_439)
        #expect(object["host"] as? String == "localhost")
        #expect(object["source"] as? String == "random-data-generator")
        #expect(object["sourcetype"] as? String == "my_sample_data")
        #expect(object["index"] as? String == "main")
        let event = try #require(object["event"] as? [String: Any])
        #expect(event["message"] as? String == "Hello world!")
        #expect(
            String(decoding: piece, as: UTF8.self)
                == #"{"time":1426279439.000,"host":"localhost","source":"random-data-generator","#
                + #""sourcetype":"my_sample_data","index":"main","event":"# + body + "}")
        #expect(layout.contentType == "application/json")
    }

    @Test("splunk-hec: defaults are source auditrelay, sourcetype auditrelay:event, this host, and no index")
    func splunkDefaults() throws {
        let layout = MessageLayout(for: Self.webhook(.splunkHEC))
        let object = try Self.jsonObject(layout.piece(Self.event(#"{"type":"user.login"}"#)))
        #expect(object["source"] as? String == "auditrelay")
        #expect(object["sourcetype"] as? String == "auditrelay:event")
        #expect(object["host"] as? String == ProcessInfo.processInfo.hostName)
        #expect(object["index"] == nil)
        #expect(Set(object.keys) == ["time", "host", "source", "sourcetype", "event"])
    }

    @Test("splunk-hec: the event's bytes are embedded verbatim, spacing, key order and unicode included")
    func splunkEventVerbatim() throws {
        let body = "{ \"z\" : 1 ,\n  \"a\":\"caf\u{E9} \u{2713} \\u00e9\",\t\"n\" : [ 1 , 2 ] , \"id\":\"evt_1\" }"
        let raw = Array(body.utf8)
        let piece = MessageLayout(for: Self.webhook(.splunkHEC)).piece(Self.event(body))
        #expect(Array(piece.suffix(raw.count + 1)) == raw + [UInt8(ascii: "}")])
        let prefix = String(decoding: piece.dropLast(raw.count + 1), as: UTF8.self)
        #expect(prefix.hasSuffix(#","event":"#))
        let event = try #require(try Self.jsonObject(piece)["event"] as? [String: Any])
        #expect(event["a"] as? String == "caf\u{E9} \u{2713} \u{E9}")
        #expect(event["z"] as? Int == 1)
    }

    static let times: [(Int64, String)] = [
        (1_732_442_400_123, "1732442400.123"), (1_732_442_400_005, "1732442400.005"),
        (1_732_442_400_000, "1732442400.000"), (1_426_279_439_990, "1426279439.990"), (0, "0.000"),
    ]

    @Test("splunk-hec: time is Unix seconds with milliseconds", arguments: times)
    func splunkTime(millis: Int64, text: String) {
        #expect(MessageLayout.epochSeconds(millis) == text)
        let piece = MessageLayout(for: Self.webhook(.splunkHEC)).piece(Self.event("{}", occurredAt: millis))
        #expect(String(decoding: piece, as: UTF8.self).hasPrefix(#"{"time":\#(text),"#))
    }

    @Test("splunk-hec: time before 1970 keeps its value", arguments: [-500, -1500, -1, -86_400_000] as [Int64])
    func splunkTimeBeforeEpoch(millis: Int64) throws {
        // An event `time` of 1969-12-31T23:59:59.500Z is accepted at ingest and is -500 ms.
        let text = MessageLayout.epochSeconds(millis)
        let seconds = try #require(Double(text))
        #expect(abs(seconds - Double(millis) / 1000) < 0.0005, "\(millis) ms was written as \(text)")
    }

    @Test("splunk-hec: special characters in the envelope fields are JSON-escaped")
    func splunkEscapesFields() throws {
        let source = "a \"quoted\" \\ path\n\twith\u{1}control \u{E9}"
        let fields = SplunkFields(source: source, sourcetype: "acme:audit", index: "sec\"urity", host: "h\\1")
        let piece = MessageLayout(for: Self.webhook(.splunkHEC, splunk: fields)).piece(Self.event("{}"))
        let text = String(decoding: piece, as: UTF8.self)
        #expect(text.contains(#""source":"a \"quoted\" \\ path\n\twith\u0001control \#u{E9}""#))
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 })
        let object = try Self.jsonObject(piece)
        #expect(object["source"] as? String == source)
        #expect(object["index"] as? String == "sec\"urity")
        #expect(object["host"] as? String == "h\\1")
    }

    @Test("splunk-hec: a batch is the envelopes concatenated, each readable in order")
    func splunkBatch() throws {
        let layout = MessageLayout(for: Self.webhook(.splunkHEC, batch: BatchSettings()))
        let events = Self.events(3)
        let body = layout.join(events.map(layout.piece)[...])
        #expect(layout.separatorLength == 0)
        #expect(body.first == UInt8(ascii: "{"))
        #expect(body.last == UInt8(ascii: "}"))
        let objects = Self.splitObjects(body)
        #expect(objects.count == 3)
        #expect(objects.flatMap { $0 } == body)
        for (index, bytes) in objects.enumerated() {
            let object = try Self.jsonObject(bytes)
            let event = try #require(object["event"] as? [String: Any])
            #expect(event["n"] as? Int == index)
            #expect(object["time"] as? Double == Double(Self.occurredAt + Int64(index)) / 1000)
        }
    }

    // MARK: sentinel

    @Test("sentinel: one event is still a JSON array of one record")
    func sentinelSingle() throws {
        let layout = MessageLayout(for: Self.webhook(.sentinel))
        let body = layout.join([layout.piece(Self.event(#"{"type":"user.login","actor":"ana"}"#))])
        #expect(body.first == UInt8(ascii: "["))
        #expect(body.last == UInt8(ascii: "]"))
        let records = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]])
        #expect(records.count == 1)
        #expect(layout.contentType == "application/json")
    }

    @Test("sentinel: records carry TimeGenerated, EventId, EventType and the event, like the Logs Ingestion example")
    func sentinelRecords() throws {
        let layout = MessageLayout(for: Self.webhook(.sentinel, batch: BatchSettings()))
        var events = Self.events(3)
        events[1].id = "evt_\"quoted\""
        events[2].type = "repo.push"
        let body = layout.join(events.map(layout.piece)[...])
        let records = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]])
        #expect(records.count == 3)
        for (index, record) in records.enumerated() {
            #expect(Set(record.keys) == ["TimeGenerated", "EventId", "EventType", "Event"])
            #expect(record["EventId"] as? String == events[index].id)
            #expect(record["EventType"] as? String == events[index].type)
            let event = try #require(record["Event"] as? [String: Any])
            #expect(event["n"] as? Int == index)
        }
        #expect(records[0]["TimeGenerated"] as? String == "2024-11-24T10:00:00.123Z")
        #expect(records[2]["TimeGenerated"] as? String == "2024-11-24T10:00:00.125Z")
    }

    // MARK: ndjson and json

    @Test("ndjson: one event per line, each line parses, sent as application/x-ndjson")
    func ndjson() throws {
        let layout = MessageLayout(for: Self.webhook(.ndjson, batch: BatchSettings()))
        let events = Self.events(3)
        let body = layout.join(events.map(layout.piece)[...])
        #expect(layout.contentType == "application/x-ndjson")
        #expect(body.last == UInt8(ascii: "\n"))
        let lines = body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        #expect(lines.count == 4)
        #expect(lines.last?.isEmpty == true)
        for (index, line) in lines.dropLast().enumerated() {
            #expect(Array(line) == Array(events[index].body))
            #expect(try Self.jsonObject(Array(line))["n"] as? Int == index)
        }
    }

    @Test("json without batch: the body is the stored event's exact bytes")
    func jsonSingle() {
        let body = " {\"type\" : \"user.login\",\"é\":1} "
        let layout = MessageLayout(for: Self.webhook(.json))
        #expect(layout.join([layout.piece(Self.event(body))]) == Array(body.utf8))
        #expect(layout.separatorLength == 0)
        #expect(layout.contentType == "application/json")
    }

    @Test("json with batch: the body is a JSON array of the events, even for one")
    func jsonBatch() throws {
        let layout = MessageLayout(for: Self.webhook(.json, batch: BatchSettings()))
        let events = Self.events(2)
        let pieces = events.map(layout.piece)
        #expect(layout.join(pieces[...]) == Array("[".utf8) + pieces[0] + Array(",".utf8) + pieces[1] + Array("]".utf8))
        #expect(layout.join(pieces[..<1]) == Array("[".utf8) + pieces[0] + Array("]".utf8))
        let array = try #require(try JSONSerialization.jsonObject(with: Data(layout.join(pieces[...]))) as? [Any])
        #expect(array.count == 2)
    }

    @Test("A Slack webhook's body is the Slack message whatever the format says")
    func slackIgnoresFormat() {
        let event = Self.event(#"{"type":"user.login"}"#)
        let layout = MessageLayout(for: Self.webhook(.ndjson, kind: .slack))
        #expect(layout.piece(event) == SlackMessage.body(for: event))
        #expect(layout.contentType == "application/json")
    }

    @Test("size(of:) is the length join produces", arguments: MessageFormat.allCases)
    func sizeMatchesJoin(format: MessageFormat) {
        let batches: [BatchSettings?] = [nil, BatchSettings()]
        for batch in batches {
            let layout = MessageLayout(for: Self.webhook(format, batch: batch))
            let pieces = Self.events(4).map(layout.piece)
            for count in 0...4 {
                let slice = pieces[..<count]
                #expect(layout.size(of: slice.map(\.count)) == layout.join(slice).count, "\(format) × \(count)")
            }
        }
    }

    // MARK: BatchSettings

    @Test("groups: maxEvents cuts the run")
    func groupsByCount() {
        let layout = MessageLayout(for: Self.webhook(.ndjson, batch: BatchSettings()))
        let settings = BatchSettings(maxEvents: 2, maxBytes: 1024)
        #expect(settings.groups(of: [10, 10, 10, 10, 10], layout: layout) == [0..<2, 2..<4, 4..<5])
        #expect(BatchSettings(maxEvents: 1, maxBytes: 1024).groups(of: [1, 1], layout: layout) == [0..<1, 1..<2])
        #expect(settings.groups(of: [], layout: layout) == [])
    }

    @Test("groups: maxBytes cuts the run, counting the array brackets and commas")
    func groupsBySize() {
        let layout = MessageLayout(for: Self.webhook(.sentinel, batch: BatchSettings()))
        let settings = BatchSettings(maxEvents: 100, maxBytes: 1024)
        // 2 + 300 + 1 + 300 + 1 + 300 = 904 fits; a fourth makes 1205.
        #expect(settings.groups(of: Array(repeating: 300, count: 5), layout: layout) == [0..<3, 3..<5])
    }

    @Test("groups: a piece larger than maxBytes goes alone")
    func groupsOversize() {
        let layout = MessageLayout(for: Self.webhook(.sentinel, batch: BatchSettings()))
        let settings = BatchSettings(maxEvents: 100, maxBytes: 1024)
        #expect(settings.groups(of: [100, 5000, 100, 100], layout: layout) == [0..<1, 1..<2, 2..<4])
        #expect(settings.groups(of: [5000], layout: layout) == [0..<1])
        #expect(settings.groups(of: [5000, 5000], layout: layout) == [0..<1, 1..<2])
    }

    @Test("groups: a body of exactly maxBytes fits, one byte more does not", arguments: MessageFormat.allCases)
    func groupsExactBoundary(format: MessageFormat) {
        let layout = MessageLayout(for: Self.webhook(format, batch: BatchSettings()))
        let lengths = [400, 350, 280]
        let exact = layout.size(of: lengths)
        let fitting = BatchSettings(maxEvents: 100, maxBytes: exact)
        let tight = BatchSettings(maxEvents: 100, maxBytes: exact - 1)
        #expect(fitting.groups(of: lengths, layout: layout) == [0..<3])
        #expect(tight.groups(of: lengths, layout: layout) == [0..<2, 2..<3])
    }

    @Test("groups: random runs are covered in order, within both limits")
    func groupsRandomRuns() {
        var random = SplitMix64(seed: 42)
        let layout = MessageLayout(for: Self.webhook(.sentinel, batch: BatchSettings()))
        for _ in 0..<200 {
            let count = Int.random(in: 0...40, using: &random)
            var lengths: [Int] = []
            for _ in 0..<count { lengths.append(Int.random(in: 1...700, using: &random)) }
            let maxEvents = Int.random(in: 1...8, using: &random)
            let settings = BatchSettings(maxEvents: maxEvents, maxBytes: Int.random(in: 1024...3000, using: &random))
            let groups = settings.groups(of: lengths, layout: layout)
            #expect(groups.flatMap { Array($0) } == Array(lengths.indices))
            for group in groups {
                #expect(!group.isEmpty)
                #expect(group.count <= settings.maxEvents)
                #expect(group.count == 1 || layout.size(of: lengths[group]) <= settings.maxBytes)
            }
        }
    }

    @Test("BatchSettings: defaults, maxWait as text or seconds, unknown keys refused")
    func batchSettingsDecoding() throws {
        func decode(_ json: String) throws -> BatchSettings {
            try JSONDecoder().decode(BatchSettings.self, from: Data(json.utf8))
        }
        #expect(try decode("{}") == BatchSettings(maxEvents: 100, maxBytes: 1_000_000, maxWait: .seconds(1)))
        #expect(try decode(#"{"maxWait":"500ms"}"#).maxWait.milliseconds == 500)
        #expect(try decode(#"{"maxWait":2}"#).maxWait.milliseconds == 2000)
        let quarter = BatchSettings(maxEvents: 7, maxWait: .init(milliseconds: 250))
        #expect(try decode(#"{"maxWait":0.25,"maxEvents":7}"#) == quarter)
        #expect(throws: DecodingError.self) { try decode(#"{"maxevents":5}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"maxWait":-1}"#) }
    }
}
