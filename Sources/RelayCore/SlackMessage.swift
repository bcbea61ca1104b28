import Foundation

/// The Slack incoming-webhook body for one audit event (SPEC §6): Block Kit blocks plus `text`, the notification
/// fallback.
///
/// The blocks are a header section (`*type* · actor · action · target`), a context block (time, id, source) and
/// sections holding the event's other members as `key: value` lines, keys sorted. Every value taken from the event
/// has Slack's control characters escaped (`&` → `&amp;`, `<` → `&lt;`, `>` → `&gt;`), so an event can never mention
/// a user or notify a channel; texts stay within Slack's limits and end in `…` when cut.
///
/// ```swift
/// let body = SlackMessage.body(for: event)
/// // {"blocks":[{"text":{"text":"*user.login* · alice · login · acme/api",…},"type":"section"},…],
/// //  "text":"user.login — alice login acme/api"}
/// ```
public enum SlackMessage {
    /// The JSON body bytes for `event`.
    ///
    /// ```swift
    /// let bytes = SlackMessage.body(for: event)   // POSTed to the incoming-webhook URL
    /// ```
    public static func body(for event: AuditEvent) -> [UInt8] {
        let members = try? JSONDecoder().decode([String: JSONValue].self, from: event.body)
        let summary = Summary(members: members ?? [:])

        var fallback = SlackText()
        fallback.append(value: event.type)
        for (index, part) in summary.parts.enumerated() {
            fallback.append(markup: index == 0 ? " — " : " ")
            fallback.append(value: part)
        }
        fallback = fallback.cut(to: Limits.fallbackText)

        var header = SlackText()
        header.append(markup: "*")
        header.append(value: event.type)
        header.append(markup: "*")
        for part in summary.parts {
            header.append(markup: " · ")
            header.append(value: part)
        }
        header = header.cut(to: Limits.sectionText)

        var context = [
            labelled("time", RFC3339.format(millis: event.occurredAt)),
            labelled("id", event.id),
        ]
        if let source = summary.source { context.append(labelled("source", source)) }
        context = context.map { $0.cut(to: Limits.contextText) }

        let used = fallback.length + header.length + context.reduce(0) { $0 + $1.length }
        var packer = SectionPacker(maxSections: Limits.blocks - 2, budget: Limits.totalText - used)
        if let members {
            for (key, value) in members.sorted(by: { $0.key < $1.key }) where !summary.hides(key) {
                guard packer.add(labelled(key, inline(value), labelFromEvent: true)) else { break }
            }
        } else {
            // Not expected (the stored body is a JSON object), but never drop what the sender wrote.
            _ = packer.add(labelled("body", String(decoding: event.body, as: UTF8.self)))
        }

        let blocks =
            [Block.section(header), Block.context(context)] + packer.finished().map { Block.section($0) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(Payload(text: fallback.string, blocks: blocks)) else {
            return Array(#"{"text":"audit event"}"#.utf8)
        }
        return Array(data)
    }
}

// MARK: - Limits and the parts of the summary

extension SlackMessage {
    /// Slack's limits (Block Kit reference), with the total kept well under the 40,000-character message limit.
    fileprivate enum Limits {
        /// A section's text.
        static let sectionText = 3000
        /// One context element's text.
        static let contextText = 3000
        /// The top-level `text`.
        static let fallbackText = 3000
        /// Blocks in one message.
        static let blocks = 50
        /// The top-level `text` plus every block text.
        static let totalText = 30_000
        /// The longest text above: a value is never read further than one Character past it.
        static let longestText = 3000
    }

    /// The members the header and context show, and which members the field sections therefore leave out.
    private struct Summary {
        /// Members never listed as fields: the header and the context show them (or `AuditEvent` carries them).
        static let shownElsewhere: Set<String> = ["type", "id", "time", "actor", "action", "target"]

        var actor: String?
        var action: String?
        var target: String?
        /// A non-empty string `source`; any other `source` is listed among the fields.
        var source: String?

        init(members: [String: JSONValue]) {
            actor = members["actor"].flatMap(SlackMessage.name(of:))
            action = members["action"].flatMap(SlackMessage.shown(_:))
            target = members["target"].flatMap(SlackMessage.name(of:))
            if case .string(let text)? = members["source"], !text.isEmpty { source = text }
        }

        /// Actor, action and target, those present, in that order.
        var parts: [String] { [actor, action, target].compactMap { $0 } }

        func hides(_ key: String) -> Bool {
            Self.shownElsewhere.contains(key) || (key == "source" && source != nil)
        }
    }

    /// How an actor or target is named: a non-empty string as is; for an object the first non-empty string of
    /// `name`, `displayName`, `login`, `email`, `id`, else its compact JSON; `nil` for `null` and `""`.
    fileprivate static func name(of value: JSONValue) -> String? {
        guard case .object(let members) = value else { return shown(value) }
        for key in ["name", "displayName", "login", "email", "id"] {
            if case .string(let text)? = members[key], !text.isEmpty { return text }
        }
        return compactJSON(value)
    }

    /// A value as the header shows it, or `nil` when there is nothing to show (`null` or `""`).
    fileprivate static func shown(_ value: JSONValue) -> String? {
        switch value {
        case .null: nil
        case .string(let text): text.isEmpty ? nil : text
        default: inline(value)
        }
    }

    /// `label: value`; the label is our markup, or escaped like a value when it is an event's member name.
    private static func labelled(_ label: String, _ value: String, labelFromEvent: Bool = false) -> SlackText {
        var text = SlackText()
        if labelFromEvent { text.append(value: label) } else { text.append(markup: label) }
        text.append(markup: ": ")
        text.append(value: value)
        return text
    }
}

// MARK: - Values as text

extension SlackMessage {
    /// A value on one line: strings without quotes, numbers without a needless `.0`, arrays and objects as compact
    /// JSON with sorted keys.
    fileprivate static func inline(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .number(let number): format(number)
        case .bool(let flag): flag ? "true" : "false"
        case .null: "null"
        case .array, .object: compactJSON(value)
        }
    }

    /// Integral values below 2^53 without a fraction (`3`, not `3.0`); others as Swift prints them (`0.25`, `1e+20`).
    fileprivate static func format(_ number: Double) -> String {
        if number.rounded(.towardZero) == number, abs(number) < 9_007_199_254_740_992 {
            return String(Int64(number))
        }
        return number.description
    }

    fileprivate static func compactJSON(_ value: JSONValue) -> String {
        var out = ""
        writeJSON(value, to: &out)
        return out
    }

    private static func writeJSON(_ value: JSONValue, to out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .number(let number): out += format(number)
        case .string(let text): out += JSONText.quoted(text)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                writeJSON(item, to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { out += "," }
                out += JSONText.quoted(member.key)
                out += ":"
                writeJSON(member.value, to: &out)
            }
            out += "}"
        }
    }

}

// MARK: - Escaped text that is cut safely

extension SlackMessage {
    /// Slack mrkdwn built from our markup and escaped event values, kept as units that are never split: one markup
    /// Character, or one Character of a value in its escaped form (`&` → `&amp;`). Cutting between units can never
    /// leave half an escape sequence; `length` counts the Characters of the escaped text.
    fileprivate struct SlackText {
        private struct Unit {
            var text: String
            var width: Int
        }

        private var units: [Unit] = []
        /// The escaped text's length in Characters.
        private(set) var length = 0

        var isEmpty: Bool { units.isEmpty }

        var string: String {
            var result = ""
            result.reserveCapacity(length)
            for unit in units { result += unit.text }
            return result
        }

        /// Appends text of ours (markup such as `*` or ` · `) as it is.
        mutating func append(markup: String) {
            for character in markup { add(Unit(text: String(character), width: 1)) }
        }

        /// Appends a value from the event, escaped and on one line (control characters and line separators become
        /// spaces). Only as much is read as the longest text can show.
        mutating func append(value: String) {
            for character in value.prefix(Limits.longestText + 1) { add(Self.escaped(character)) }
        }

        mutating func append(_ other: SlackText) {
            units += other.units
            length += other.length
        }

        /// This text when it fits in `limit` Characters, else as much as fits followed by `…`.
        func cut(to limit: Int) -> SlackText {
            length <= limit ? self : ellipsized(to: limit)
        }

        /// As much of this text as fits in `limit - 1` Characters, followed by `…`.
        func ellipsized(to limit: Int) -> SlackText {
            var result = SlackText()
            for unit in units {
                guard result.length + unit.width <= limit - 1 else { break }
                result.add(unit)
            }
            result.append(markup: "…")
            return result
        }

        private mutating func add(_ unit: Unit) {
            units.append(unit)
            length += unit.width
        }

        private static func escaped(_ character: Character) -> Unit {
            if let ascii = character.asciiValue {
                switch ascii {
                case UInt8(ascii: "&"): return Unit(text: "&amp;", width: 5)
                case UInt8(ascii: "<"): return Unit(text: "&lt;", width: 4)
                case UInt8(ascii: ">"): return Unit(text: "&gt;", width: 4)
                case 0..<0x20, 0x7F: return Unit(text: " ", width: 1)
                default: return Unit(text: String(character), width: 1)
                }
            }
            var text = ""
            for scalar in character.unicodeScalars {
                switch scalar {
                case "&": text += "&amp;"
                case "<": text += "&lt;"
                case ">": text += "&gt;"
                default:
                    switch scalar.properties.generalCategory {
                    case .control, .lineSeparator, .paragraphSeparator: return Unit(text: " ", width: 1)
                    default: text.unicodeScalars.append(scalar)
                    }
                }
            }
            return Unit(text: text, width: text.count)
        }
    }

    /// Packs `key: value` lines into sections of at most `Limits.sectionText`, within a block count and a budget of
    /// Characters; when the lines run past either, the last section ends with `…`.
    private struct SectionPacker {
        let maxSections: Int
        private var remaining: Int
        private var sections: [SlackText] = []
        private var current = SlackText()

        init(maxSections: Int, budget: Int) {
            self.maxSections = maxSections
            self.remaining = max(budget, 0)
        }

        /// Adds one line; `false` when there was no room for all of it, after which nothing more may be added.
        mutating func add(_ line: SlackText) -> Bool {
            let line = line.cut(to: Limits.sectionText)
            let separator = current.isEmpty ? 0 : 1
            if current.length + separator + line.length <= Limits.sectionText, separator + line.length <= remaining {
                if separator == 1 { current.append(markup: "\n") }
                current.append(line)
                remaining -= separator + line.length
                return true
            }
            if !current.isEmpty, sections.count + 2 <= maxSections, line.length <= remaining {
                sections.append(current)
                current = line
                remaining -= line.length
                return true
            }
            // Out of room: what is left of this section takes the start of the line, and the text ends with "…".
            let room = min(Limits.sectionText - current.length, remaining)
            if room - separator >= 2 {
                if separator == 1 { current.append(markup: "\n") }
                current.append(line.ellipsized(to: room - separator))
            } else {
                current = current.ellipsized(to: current.length + room)
            }
            remaining = 0
            return false
        }

        func finished() -> [SlackText] {
            current.isEmpty ? sections : sections + [current]
        }
    }
}

// MARK: - The JSON body

extension SlackMessage {
    private struct Payload: Encodable {
        var text: String
        var blocks: [Block]
    }

    private struct Block: Encodable {
        var type: String
        var text: TextObject?
        var elements: [TextObject]?

        static func section(_ text: SlackText) -> Block {
            Block(type: "section", text: TextObject(text: text.string), elements: nil)
        }

        static func context(_ texts: [SlackText]) -> Block {
            Block(type: "context", text: nil, elements: texts.map { TextObject(text: $0.string) })
        }
    }

    /// A `mrkdwn` text object. `verbatim` stops Slack from linking or parsing plain text it finds (channel names,
    /// mentions): only our own markup is interpreted.
    private struct TextObject: Encodable {
        var type = "mrkdwn"
        var text: String
        var verbatim = true
    }
}
