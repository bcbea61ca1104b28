import RelayCore
import Testing

/// One body the parser must refuse, with the status and the fields it must name.
struct Refusal: Sendable, CustomTestStringConvertible {
    var body: String
    var contentType: IngestContentType = .json
    var status: Int
    var fields: [String] = []
    var limits = IngestLimits()

    var testDescription: String { "\(status) \(fields) \(String(body.prefix(60)).debugDescription)" }
}

/// SPEC §2: a request is all-or-nothing; each problem refuses it with the right status.
@Suite("IngestParser: refused bodies")
struct IngestParserRefusalTests {
    private static let longType = String(repeating: "t", count: 201)
    private static let small = IngestLimits(maxEventsPerRequest: 2, maxEventBytes: 24)

    static let refusals: [Refusal] = [
        // Malformed JSON.
        Refusal(body: #"{"type":"a""#, status: 400),
        Refusal(body: #"{type:"a"}"#, status: 400),
        Refusal(body: #"{"type":"a"} {"type":"b"}"#, status: 400),
        Refusal(body: #"{"type":"a"}x"#, status: 400),
        Refusal(body: "{\"type\":\"a\"}\n{\"type\":", contentType: .ndjson, status: 400),
        // Not an object.
        Refusal(body: #""user.login""#, status: 400),
        Refusal(body: "42", status: 400),
        Refusal(body: "null", status: 400),
        Refusal(body: "[1]", status: 400),
        Refusal(body: #"[{"type":"a"},"b"]"#, status: 400),
        Refusal(body: #"[[{"type":"a"}]]"#, status: 400),
        Refusal(body: #"[{"type":"a"}]"#, contentType: .ndjson, status: 400),
        Refusal(
            body: #"{"type":"a","specversion":"1.0","id":"1","source":"s"}"#, contentType: .cloudEventBatch,
            status: 400),
        // Empty requests.
        Refusal(body: "", status: 400),
        Refusal(body: " \r\n\t", status: 400),
        Refusal(body: "[]", status: 400),
        Refusal(body: " [ ] ", contentType: .cloudEventBatch, status: 400),
        Refusal(body: "\n\r\n  \n", contentType: .ndjson, status: 400),
        Refusal(body: "", contentType: .cloudEvent, status: 400),
        // Unterminated or broken arrays.
        Refusal(body: #"[{"type":"a"}"#, status: 400),
        Refusal(body: #"[{"type":"a"},"#, status: 400),
        Refusal(body: #"[{"type":"a"},]"#, status: 400),
        Refusal(body: #"[{"type":"a"}] x"#, status: 400),
        Refusal(body: #"[{"type":"a}"]"#, status: 400),
        // Missing or invalid type.
        Refusal(body: #"{"actor":"u1"}"#, status: 422, fields: ["type"]),
        Refusal(body: #"[{"type":"a"},{"actor":"u1"}]"#, status: 422, fields: ["events[1].type"]),
        Refusal(body: "{\"type\":\"a\"}\n{\"actor\":1}", contentType: .ndjson, status: 422, fields: ["events[1].type"]),
        Refusal(body: #"{"type":5}"#, status: 422, fields: ["type"]),
        Refusal(body: #"{"type":null}"#, status: 422, fields: ["type"]),
        Refusal(body: #"{"type":""}"#, status: 422, fields: ["type"]),
        Refusal(body: #"{"type":"user login"}"#, status: 422, fields: ["type"]),
        Refusal(body: #"{"type":"user.login!"}"#, status: 422, fields: ["type"]),
        Refusal(body: #"{"type":"usér"}"#, status: 422, fields: ["type"]),
        Refusal(body: #"{"type":"\#(longType)"}"#, status: 422, fields: ["type"]),
        // The relay's own types (SPEC §13) cannot be forged by a sender, in any case.
        Refusal(body: #"{"type":"auditrelay.webhook.deleted"}"#, status: 422, fields: ["type"]),
        Refusal(
            body: #"[{"type":"a"},{"type":"AuditRelay.session.signed_in"}]"#, status: 422, fields: ["events[1].type"]),
        // Invalid id.
        Refusal(body: #"{"type":"a","id":5}"#, status: 422, fields: ["id"]),
        Refusal(body: #"{"type":"a","id":{"v":"x"}}"#, status: 422, fields: ["id"]),
        Refusal(body: #"{"type":"a","id":""}"#, status: 422, fields: ["id"]),
        Refusal(body: #"{"type":"a","id":"a\u0001b"}"#, status: 422, fields: ["id"]),
        Refusal(body: #"{"type":"a","id":"line\nbreak"}"#, status: 422, fields: ["id"]),
        Refusal(body: #"{"type":"a","id":"del\u007f"}"#, status: 422, fields: ["id"]),
        Refusal(body: #"{"type":"a","id":"\#(String(repeating: "i", count: 201))"}"#, status: 422, fields: ["id"]),
        // Invalid time.
        Refusal(body: #"{"type":"a","time":"yesterday"}"#, status: 422, fields: ["time"]),
        Refusal(body: #"{"type":"a","time":1700000000}"#, status: 422, fields: ["time"]),
        Refusal(body: #"{"type":"a","time":"2026-04-31T00:00:00Z"}"#, status: 422, fields: ["time"]),
        Refusal(body: #"{"type":"a","time":"2026-11-24T10:00:00"}"#, status: 422, fields: ["time"]),
        // CloudEvents required attributes.
        Refusal(
            body: #"{"id":"1","source":"s","type":"a"}"#, contentType: .cloudEvent, status: 422,
            fields: ["specversion"]),
        Refusal(
            body: #"{"specversion":"0.3","id":"1","source":"s","type":"a"}"#, contentType: .cloudEvent,
            status: 422, fields: ["specversion"]),
        Refusal(
            body: #"{"specversion":"1.0","id":"1","type":"a"}"#, contentType: .cloudEvent, status: 422,
            fields: ["source"]),
        Refusal(
            body: #"{"specversion":"1.0","id":"1","source":"","type":"a"}"#, contentType: .cloudEvent,
            status: 422, fields: ["source"]),
        Refusal(
            body: #"{"specversion":"1.0","source":"s","type":"a"}"#, contentType: .cloudEvent, status: 422,
            fields: ["id"]),
        Refusal(
            body: #"[{"specversion":"1.0","id":"1","source":"s","type":"a"},{"type":"b"}]"#,
            contentType: .cloudEventBatch, status: 422,
            fields: ["events[1].id", "events[1].specversion", "events[1].source"]),
        // Limits.
        Refusal(body: #"[{"type":"a"},{"type":"b"},{"type":"c"}]"#, status: 413, limits: small),
        Refusal(
            body: "{\"type\":\"a\"}\n{\"type\":\"b\"}\n{\"type\":\"c\"}", contentType: .ndjson, status: 413,
            limits: small),
        Refusal(body: #"{"type":"a","pad":"1234567"}"#, status: 413, limits: small),
        Refusal(body: #"[{"type":"a"},{"type":"a","pad":"1234567"}]"#, status: 413, limits: small),
    ]

    @Test("Refused with the right status and fields", arguments: refusals)
    func refused(_ refusal: Refusal) {
        let problem = #expect(throws: RelayProblem.self) {
            try parseIngest(refusal.body, as: refusal.contentType, limits: refusal.limits)
        }
        #expect(problem?.status == refusal.status)
        if !refusal.fields.isEmpty {
            #expect(Set(problem?.errors.map(\.field) ?? []) == Set(refusal.fields))
        }
    }

    @Test(
        "Trailing commas are malformed JSON",
        arguments: [#"{"type":"a",}"#, #"{"type":"a","x":[1,2,]}"#, #"[{"type":"a","x":{"y":1,}}]"#])
    func trailingCommaIsMalformed(body: String) {
        let problem = #expect(throws: RelayProblem.self) { try parseIngest(body, as: .json) }
        #expect(problem?.status == 400)
    }

    @Test("Every invalid event in a batch is reported, and none is accepted")
    func collectsAllErrors() throws {
        let body = #"[{"actor":1},{"type":"ok"},{"type":"b","id":7,"time":"soon"}]"#
        let problem = try #require(throws: RelayProblem.self) { try parseIngest(body, as: .json) }
        #expect(problem.status == 422)
        #expect(problem.errors.map(\.field) == ["events[0].type", "events[2].id", "events[2].time"])
        #expect(problem.detail.contains("events[2].time"))
    }

    @Test("At most 100 field errors are listed")
    func errorListIsBounded() throws {
        let body = "[" + Array(repeating: "{}", count: 150).joined(separator: ",") + "]"
        let problem = try #require(throws: RelayProblem.self) { try parseIngest(body, as: .json) }
        #expect(problem.status == 422)
        #expect(problem.errors.count == 100)
    }

    @Test("The size refusal names the event and the limit")
    func tooLargeExplains() throws {
        let problem = try #require(throws: RelayProblem.self) {
            try parseIngest(#"{"type":"a","pad":"1234567"}"#, as: .json, limits: Self.small)
        }
        #expect(problem.detail.contains("24"))
    }
}
