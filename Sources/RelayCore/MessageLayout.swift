import Foundation

/// Lays out request bodies in a webhook's format (SPEC §6).
///
/// Each event is rendered once as a *piece*; a request body is its pieces joined, so a batch can
/// be sized, split (on a `413`) and re-joined without rendering events again.
///
/// ```swift
/// let layout = MessageLayout(for: webhook)
/// let pieces = events.map(layout.piece)
/// let body = layout.join(pieces[...])   // `[{…},{…}]` for sentinel, `{…}{…}` for splunk-hec
/// ```
public struct MessageLayout: Sendable {
    private let format: MessageFormat
    private let kind: WebhookKind
    /// `,"host":…,"source":…,"sourcetype":…[,"index":…]` for a `splunk-hec` envelope, made once.
    private let splunkFields: [UInt8]
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
        let arrayed = kind == .custom && (format == .sentinel || (format == .json && webhook.batch != nil))
        opening = arrayed ? [UInt8(ascii: "[")] : []
        separator = arrayed ? [UInt8(ascii: ",")] : []
        closing = arrayed ? [UInt8(ascii: "]")] : []
        contentType = kind == .custom && format == .ndjson ? "application/x-ndjson" : "application/json"
        var fields: [UInt8] = []
        if format == .splunkHEC {
            let splunk = webhook.splunk ?? SplunkFields()
            for (name, value) in [
                ("host", splunk.host ?? Self.relayHostName), ("source", splunk.source),
                ("sourcetype", splunk.sourcetype), ("index", splunk.index),
            ] {
                guard let value else { continue }
                fields += Array(",\"\(name)\":".utf8)
                JSONText.appendQuoted(value, to: &fields)
            }
        }
        splunkFields = fields
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
            var bytes = Self.envelopeStart("time", capacity: splunkFields.count + event.body.count + 40)
            bytes += Self.epochSeconds(event.occurredAt).utf8
            bytes += splunkFields
            return Self.envelopeEnd(last: "event", event.body, to: &bytes)
        case .sentinel:
            var bytes = Self.envelopeStart("TimeGenerated", capacity: event.id.utf8.count + event.body.count + 100)
            JSONText.appendQuoted(RFC3339.format(millis: event.occurredAt), to: &bytes)
            bytes.append(UInt8(ascii: ","))
            JSONText.appendName("EventId", to: &bytes)
            JSONText.appendQuoted(event.id, to: &bytes)
            bytes.append(UInt8(ascii: ","))
            JSONText.appendName("EventType", to: &bytes)
            JSONText.appendQuoted(event.type, to: &bytes)
            return Self.envelopeEnd(last: "Event", event.body, to: &bytes)
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

    /// `{"first":` in a buffer with room for `capacity` bytes.
    private static func envelopeStart(_ first: StaticString, capacity: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
        JSONText.appendName(first, to: &bytes)
        return bytes
    }

    /// Ends an envelope with `,"last":<raw>}`, `raw` spliced in byte for byte.
    private static func envelopeEnd(last: StaticString, _ raw: Data, to bytes: inout [UInt8]) -> [UInt8] {
        bytes.append(UInt8(ascii: ","))
        JSONText.appendName(last, to: &bytes)
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
