import Foundation

/// Lays out request bodies in a webhook's format (SPEC §6).
///
/// Each event is rendered once as a *piece*; a request body is its pieces joined, so a batch can
/// be sized, split (on a `413`) and re-joined without rendering events again.
///
/// ```swift
/// let layout = MessageBody(for: webhook)
/// let pieces = events.map(layout.piece)
/// let body = layout.join(pieces[...])   // `[{…},{…}]` for sentinel, `{…}{…}` for splunk-hec
/// ```
public struct MessageBody: Sendable {
    private let format: MessageFormat
    private let kind: WebhookKind
    private let splunk: SplunkFields
    private let opening: [UInt8]
    private let separator: [UInt8]
    private let closing: [UInt8]
    /// The `Content-Type` the body is sent with, unless the operator's headers override it.
    public let contentType: String

    /// The host name a `splunk-hec` envelope carries when the webhook names none.
    static let relayHostName = ProcessInfo.processInfo.hostName

    public init(for webhook: Webhook) {
        format = webhook.format
        kind = webhook.kind
        splunk = webhook.splunk ?? SplunkFields()
        let arrayed = kind == .custom && (format == .sentinel || (format == .json && webhook.batch != nil))
        opening = arrayed ? [UInt8(ascii: "[")] : []
        separator = arrayed ? [UInt8(ascii: ",")] : []
        closing = arrayed ? [UInt8(ascii: "]")] : []
        contentType = kind == .custom && format == .ndjson ? "application/x-ndjson" : "application/json"
    }

    /// One event as it appears in a body.
    public func piece(_ event: AuditEvent) -> [UInt8] {
        if kind == .slack { return SlackMessage.body(for: event) }
        switch format {
        case .json:
            return Array(event.body)
        case .ndjson:
            return Array(event.body) + [UInt8(ascii: "\n")]
        case .splunkHEC:
            var fields = [
                ("time", Self.epochSeconds(event.occurredAt)),
                ("host", JSONText.quoted(splunk.host ?? Self.relayHostName)),
                ("source", JSONText.quoted(splunk.source)), ("sourcetype", JSONText.quoted(splunk.sourcetype)),
            ]
            if let index = splunk.index { fields.append(("index", JSONText.quoted(index))) }
            return Self.object(fields, last: "event", event.body)
        case .sentinel:
            return Self.object(
                [
                    ("TimeGenerated", JSONText.quoted(RFC3339.format(millis: event.occurredAt))),
                    ("EventId", JSONText.quoted(event.id)), ("EventType", JSONText.quoted(event.type)),
                ], last: "Event", event.body)
        }
    }

    /// The body made of `pieces`, in order.
    public func join(_ pieces: ArraySlice<[UInt8]>) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(size(of: pieces.lazy.map(\.count)))
        body += opening
        for (offset, piece) in pieces.enumerated() {
            if offset > 0 { body += separator }
            body += piece
        }
        body += closing
        return body
    }

    /// The length of the body made of pieces of these lengths.
    public func size(of pieceLengths: some Sequence<Int>) -> Int {
        var total = opening.count + closing.count
        var count = 0
        for length in pieceLengths {
            total += length
            count += 1
        }
        return total + max(0, count - 1) * separator.count
    }

    /// The bytes between two pieces.
    public var separatorLength: Int { separator.count }

    /// `{"a":…,"b":…,"last":<raw>}` with `raw` spliced in byte for byte.
    private static func object(_ fields: [(String, String)], last: String, _ raw: Data) -> [UInt8] {
        var text = "{"
        for (name, value) in fields { text += "\"\(name)\":\(value)," }
        text += "\"\(last)\":"
        var bytes = Array(text.utf8)
        bytes.reserveCapacity(bytes.count + raw.count + 1)
        bytes += raw
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    /// Unix seconds with milliseconds, as Splunk's `time` field takes them: `1732442400.123`.
    static func epochSeconds(_ millis: Int64) -> String {
        let magnitude = millis.magnitude
        let digits = String(magnitude % 1000)
        let text = "\(magnitude / 1000)." + String(repeating: "0", count: 3 - digits.count) + digits
        return millis < 0 ? "-" + text : text
    }
}

/// JSON text for values the relay writes itself (envelopes, Slack messages).
enum JSONText {
    /// `value` as a JSON string literal (RFC 8259 §7): quotes, backslashes and controls escaped.
    static func quoted(_ value: String) -> String {
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }
}
