import Foundation
import RelayCore
import Testing

/// SPEC §6: the Slack body is a readable summary with Slack's `&`, `<`, `>` escaped in every value from the event,
/// within Block Kit's limits.
@Suite("SlackMessage")
struct SlackMessageTests {
    private static let occurredAt: Int64 = 1_795_514_400_123
    private static let occurredText = "2026-11-24T10:00:00.123Z"

    /// The parts of a rendered body, read back with `JSONSerialization`.
    private struct Rendered {
        var raw: String
        var text: String
        var blockTypes: [String]
        /// The texts of the section blocks, in order: the header first, then the field sections.
        var sections: [String]
        /// The texts of the context block's elements.
        var context: [String]

        var header: String { sections.first ?? "" }
        var fieldSections: [String] { Array(sections.dropFirst()) }
        var fieldLines: [String] { fieldSections.flatMap { $0.split(separator: "\n").map(String.init) } }
        var allTexts: [String] { [text] + sections + context }
        var totalLength: Int { allTexts.reduce(0) { $0 + $1.count } }
    }

    private func event(_ json: String, type: String = "user.login", id: String = "evt_1") -> AuditEvent {
        AuditEvent(id: id, type: type, occurredAt: Self.occurredAt, body: Data(json.utf8))
    }

    private func render(_ event: AuditEvent) throws -> Rendered {
        let bytes = SlackMessage.body(for: event)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(Set(object.keys) == ["text", "blocks"])
        let text = try #require(object["text"] as? String)
        let blocks = try #require(object["blocks"] as? [[String: Any]])
        var rendered = Rendered(
            raw: String(decoding: bytes, as: UTF8.self), text: text, blockTypes: [], sections: [], context: [])
        for block in blocks {
            let type = try #require(block["type"] as? String)
            rendered.blockTypes.append(type)
            switch type {
            case "section":
                let textObject = try #require(block["text"] as? [String: Any])
                #expect(textObject["type"] as? String == "mrkdwn")
                rendered.sections.append(try #require(textObject["text"] as? String))
            case "context":
                let elements = try #require(block["elements"] as? [[String: Any]])
                #expect((1...10).contains(elements.count))
                for element in elements {
                    #expect(element["type"] as? String == "mrkdwn")
                    rendered.context.append(try #require(element["text"] as? String))
                }
            default:
                Issue.record("unexpected block type \(type)")
            }
        }
        return rendered
    }

    /// No raw `<` or `>`, and every `&` begins one of the three escapes.
    private func isSlackSafe(_ text: String) -> Bool {
        guard !text.contains("<"), !text.contains(">") else { return false }
        return text.components(separatedBy: "&").dropFirst().allSatisfy {
            $0.hasPrefix("amp;") || $0.hasPrefix("lt;") || $0.hasPrefix("gt;")
        }
    }

    @Test("A GitHub audit-log event: header, context and sorted fields")
    func gitHubEvent() throws {
        let json = """
            {"action":"repo.destroy","actor":"octocat","repo":"octo-org/octo-repo","created_at":1606929874512,\
            "org":"octo-org","actor_location":{"country_code":"US"},"_document_id":"xJJFlFOhQ6b-5vaAFy9Rjw"}
            """
        let rendered = try render(event(json, type: "repo.destroy", id: "evt_gh1"))
        #expect(rendered.blockTypes == ["section", "context", "section"])
        #expect(rendered.header == "*repo.destroy* · octocat · repo.destroy")
        #expect(rendered.text == "repo.destroy — octocat repo.destroy")
        #expect(
            rendered.fieldSections == [
                """
                _document_id: xJJFlFOhQ6b-5vaAFy9Rjw
                actor_location: {"country_code":"US"}
                created_at: 1606929874512
                org: octo-org
                repo: octo-org/octo-repo
                """
            ])
        // Slashes are not escaped in the JSON body.
        #expect(rendered.raw.contains("octo-org/octo-repo"))
        #expect(!rendered.raw.contains(#"\/"#))
    }

    @Test("Object actor and target are named; source moves to the context")
    func richEvent() throws {
        let json = """
            {"actor":{"id":"00u1abcd","type":"User","alternateId":"alice@example.com","displayName":"Alice Example"},
             "action":"user.session.start","target":{"type":"repository","id":"r_9","name":"acme/api"},
             "source":"okta","outcome":{"result":"SUCCESS","reason":null},"client":{"ipAddress":"203.0.113.7"}}
            """
        let rendered = try render(event(json, id: "evt_okta_7"))
        #expect(rendered.header == "*user.login* · Alice Example · user.session.start · acme/api")
        #expect(rendered.text == "user.login — Alice Example user.session.start acme/api")
        #expect(rendered.context == ["time: \(Self.occurredText)", "id: evt_okta_7", "source: okta"])
        #expect(
            rendered.fieldLines == [
                #"client: {"ipAddress":"203.0.113.7"}"#,
                #"outcome: {"reason":null,"result":"SUCCESS"}"#,
            ])
    }

    @Test(
        "An object actor is named by name, displayName, login, email, id, else compact JSON",
        arguments: [
            (#"{"name":"Ann","displayName":"A","login":"ann","email":"a@x.io","id":"u1"}"#, "Ann"),
            (#"{"displayName":"Ann B","login":"annb","id":"u1"}"#, "Ann B"),
            (#"{"login":"octocat","email":"octo@github.com"}"#, "octocat"),
            (#"{"email":"bob@example.com","id":"u2"}"#, "bob@example.com"),
            (#"{"id":"u3","role":"admin"}"#, "u3"),
            (#"{"name":"","login":"carol"}"#, "carol"),
            (#"{"id":42,"kind":"bot"}"#, #"{"id":42,"kind":"bot"}"#),
            (#""dave""#, "dave"),
            ("7", "7"),
        ])
    func actorNames(actor: String, expected: String) throws {
        let rendered = try render(event(#"{"actor":\#(actor)}"#))
        #expect(rendered.header == "*user.login* · \(expected)")
        #expect(rendered.text == "user.login — \(expected)")
        #expect(rendered.fieldSections.isEmpty)
    }

    @Test("Mentions and ampersands in the actor are escaped in the header and the fallback")
    func escapesActor() throws {
        let rendered = try render(event(#"{"actor":"<!channel> & <@U123>","action":"login"}"#))
        let escaped = "&lt;!channel&gt; &amp; &lt;@U123&gt;"
        #expect(rendered.header == "*user.login* · \(escaped) · login")
        #expect(rendered.text == "user.login — \(escaped) login")
        #expect(rendered.allTexts.allSatisfy(isSlackSafe))
    }

    @Test("Keys, nested values, action, target, source and id are all escaped")
    func escapesEverything() throws {
        let json = """
            {"<!everyone>":"x","nested":{"<k>":["<!channel>","a&b",{"<@U1>":">"}]},"action":"<b>",
             "target":{"name":"<#C1|general>"},"source":"<!here>","plain":"Tom & Jerry <tj@example.com>"}
            """
        let rendered = try render(event(json, id: "<!subteam^S1>"))
        for text in rendered.allTexts {
            #expect(isSlackSafe(text), "unescaped: \(text)")
        }
        #expect(rendered.header == "*user.login* · &lt;b&gt; · &lt;#C1|general&gt;")
        #expect(rendered.context == ["time: \(Self.occurredText)", "id: &lt;!subteam^S1&gt;", "source: &lt;!here&gt;"])
        #expect(
            rendered.fieldLines == [
                "&lt;!everyone&gt;: x",
                #"nested: {"&lt;k&gt;":["&lt;!channel&gt;","a&amp;b",{"&lt;@U1&gt;":"&gt;"}]}"#,
                "plain: Tom &amp; Jerry &lt;tj@example.com&gt;",
            ])
    }

    @Test("The fallback names type, actor, action and target on one escaped line")
    func fallbackText() throws {
        let full = try render(event(#"{"actor":"alice","action":"login","target":"acme/api","ip":"198.51.100.4"}"#))
        #expect(full.text == "user.login — alice login acme/api")
        let withNewline = try render(event(#"{"actor":"eve\n<!here>","target":{"login":"a&b"}}"#))
        #expect(withNewline.text == "user.login — eve &lt;!here&gt; a&amp;b")
        #expect(!withNewline.text.contains("\n"))
        let onlyType = try render(event(#"{"ip":"198.51.100.4"}"#))
        #expect(onlyType.text == "user.login")
    }

    @Test("Without actor, action or target the header is the type alone; null and empty count as missing")
    func missingParts() throws {
        let bare = try render(event(#"{"job":"nightly"}"#, type: "system.backup"))
        #expect(bare.header == "*system.backup*")
        #expect(bare.text == "system.backup")
        #expect(bare.fieldLines == ["job: nightly"])

        let nulls = try render(event(#"{"actor":null,"action":"","target":null}"#, type: "system.backup"))
        #expect(nulls.header == "*system.backup*")
        #expect(nulls.blockTypes == ["section", "context"])

        let targetOnly = try render(event(#"{"target":{"id":"repo_1"}}"#, type: "repo.archive"))
        #expect(targetOnly.header == "*repo.archive* · repo_1")
    }

    @Test("The context carries time, id and source; members shown elsewhere are not repeated")
    func contextBlock() throws {
        let json = #"{"id":"evt_42","time":"2026-11-24T10:00:00.123Z","type":"user.login","source":"github","n":1}"#
        let withSource = try render(event(json, id: "evt_42"))
        #expect(withSource.blockTypes == ["section", "context", "section"])
        #expect(withSource.context == ["time: \(Self.occurredText)", "id: evt_42", "source: github"])
        #expect(withSource.fieldLines == ["n: 1"])

        let without = try render(event(#"{"n":1}"#, id: "evt_43"))
        #expect(without.context == ["time: \(Self.occurredText)", "id: evt_43"])

        // A source that is not a string is not lost: it is listed with the other members.
        let objectSource = try render(event(#"{"source":{"app":"ci"}}"#))
        #expect(objectSource.context.count == 2)
        #expect(objectSource.fieldLines == [#"source: {"app":"ci"}"#])
    }

    @Test("Numbers: integral values without .0, others as Swift prints them")
    func numbers() throws {
        let json = """
            {"count":3,"float":2.0,"neg":-7,"zero":-0,"ratio":0.25,"big":1e20,"limit":9007199254740991,
             "list":[1,2.5,true,null,-3.0],"obj":{"b":1.0,"a":1.5e-7}}
            """
        let rendered = try render(event(json))
        #expect(
            rendered.fieldLines == [
                "big: 1e+20",
                "count: 3",
                "float: 2",
                "limit: 9007199254740991",
                "list: [1,2.5,true,null,-3]",
                "neg: -7",
                #"obj: {"a":1.5e-07,"b":1}"#,
                "ratio: 0.25",
                "zero: 0",
            ])
    }

    @Test("A long value is cut to a 3000-character section ending in …")
    func cutsLongSection() throws {
        let long = String(repeating: "x", count: 5000)
        let rendered = try render(event(#"{"note":"\#(long)","actor":"\#(long)","source":"\#(long)"}"#))
        let field = try #require(rendered.fieldSections.first)
        #expect(rendered.fieldSections.count == 1)
        #expect(field.count == 3000)
        #expect(field.hasPrefix("note: xxx"))
        #expect(field.hasSuffix("x…"))
        #expect(rendered.header.count == 3000)
        #expect(rendered.header.hasSuffix("…"))
        #expect(rendered.text.count == 3000)
        #expect(rendered.text.hasSuffix("…"))
        let source = try #require(rendered.context.last)
        #expect(source.count == 3000)
        #expect(source.hasPrefix("source: xxx") && source.hasSuffix("…"))
    }

    @Test("A cut never splits an escape sequence", arguments: 0..<5)
    func cutsOnEscapeBoundary(padding: Int) throws {
        let value = String(repeating: "a", count: padding) + String(repeating: "&", count: 4000)
        let rendered = try render(event(#"{"note":"\#(value)","actor":"\#(value)"}"#))
        let field = try #require(rendered.fieldSections.first)
        #expect(field.count <= 3000)
        #expect(field.hasSuffix("&amp;…"))
        #expect(isSlackSafe(field))
        let escapes = field.dropFirst("note: ".count + padding).dropLast()
        #expect(escapes.count > 2900)
        #expect(escapes == String(repeating: "&amp;", count: escapes.count / 5))
        #expect(rendered.header.count <= 3000 && rendered.header.hasSuffix("&amp;…"))
        #expect(isSlackSafe(rendered.header))
        #expect(rendered.text.count <= 3000 && rendered.text.hasSuffix("&amp;…"))
        #expect(isSlackSafe(rendered.text))
    }

    @Test("Members that fit are split across several sections, in key order, with nothing cut")
    func splitsWithoutCutting() throws {
        let members = (0..<200).map { #""k\#(String(format: "%03d", $0))":"\#(String(repeating: "v", count: 40))""# }
        let rendered = try render(event("{" + members.joined(separator: ",") + "}"))
        #expect(rendered.fieldSections.count >= 3)
        #expect(rendered.fieldSections.allSatisfy { $0.count <= 3000 })
        let expected = (0..<200).map { "k" + String(format: "%03d", $0) + ": " + String(repeating: "v", count: 40) }
        #expect(rendered.fieldLines == expected)
        #expect(!rendered.allTexts.contains { $0.contains("…") })
    }

    @Test("A huge event stays within 50 blocks and well under 40,000 characters, ending in …")
    func hugeEvent() throws {
        let members = (0..<2000).map {
            #""member\#(String(format: "%04d", $0))":"\#(String(repeating: "<", count: 100))""#
        }
        let rendered = try render(event("{" + members.joined(separator: ",") + "}"))
        #expect(rendered.blockTypes.count <= 50)
        #expect(rendered.fieldSections.count > 1)
        #expect(rendered.sections.allSatisfy { $0.count <= 3000 })
        #expect(rendered.totalLength < 40_000)
        #expect(rendered.fieldSections.last?.hasSuffix("…") == true)
        #expect(rendered.fieldLines.first == "member0000: " + String(repeating: "&lt;", count: 100))
        #expect(rendered.allTexts.allSatisfy(isSlackSafe))
        // Whole lines before the cut are in key order.
        let whole = rendered.fieldLines.dropLast()
        #expect(whole.map { String($0.prefix(10)) } == (0..<whole.count).map { "member" + String(format: "%04d", $0) })
    }

    @Test("A body whose members cannot be read (a number beyond Double) is shown raw, still escaped")
    func unreadableBody() throws {
        let rendered = try render(event(#"{"big":1e400,"actor":"<!channel>"}"#))
        #expect(rendered.header == "*user.login*")
        #expect(rendered.fieldLines == [#"body: {"big":1e400,"actor":"&lt;!channel&gt;"}"#])
        #expect(rendered.allTexts.allSatisfy(isSlackSafe))
    }

    @Test("Every text object is mrkdwn with verbatim on, so Slack links nothing on its own")
    func verbatimTextObjects() throws {
        let bytes = SlackMessage.body(for: event(##"{"actor":"#general @channel","x":1}"##))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let blocks = try #require(object["blocks"] as? [[String: Any]])
        var textObjects: [[String: Any]] = []
        for block in blocks {
            if let text = block["text"] as? [String: Any] { textObjects.append(text) }
            textObjects += (block["elements"] as? [[String: Any]]) ?? []
        }
        #expect(textObjects.count == 4)
        for textObject in textObjects {
            #expect(textObject["verbatim"] as? Bool == true)
            #expect(textObject["type"] as? String == "mrkdwn")
        }
    }
}
