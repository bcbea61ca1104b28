import Foundation

/// The HTTP request one delivery attempt sends: decided here, sent by the transport.
public struct OutboundRequest: Sendable, Equatable {
    /// The destination.
    public var url: String
    /// Header fields in the order they are sent.
    public var headers: [(name: String, value: String)]
    /// The exact body bytes (what signatures cover).
    public var body: [UInt8]

    public init(url: String, headers: [(name: String, value: String)], body: [UInt8]) {
        self.url = url
        self.headers = headers
        self.body = body
    }

    public static func == (lhs: OutboundRequest, rhs: OutboundRequest) -> Bool {
        lhs.url == rhs.url && lhs.body == rhs.body
            && lhs.headers.map { [$0.name, $0.value] } == rhs.headers.map { [$0.name, $0.value] }
    }

    /// The value of the first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// The relay's own identity on the wire.
public enum RelayVersion {
    /// The release version, sent in `User-Agent: AuditRelay/<version>`.
    public static let current = "0.1.0"
}

/// What a message attempt is about: the facts the request is built from.
public struct MessageEnvelope: Sendable, Equatable {
    /// `msg_…`, stable across retries.
    public var messageID: String
    /// The message's number in its webhook's stream.
    public var sequence: Int64
    /// The attempt number, from 1.
    public var attempt: Int
    public var event: AuditEvent

    public init(messageID: String, sequence: Int64, attempt: Int, event: AuditEvent) {
        self.messageID = messageID
        self.sequence = sequence
        self.attempt = attempt
        self.event = event
    }
}

extension OutboundRequest {
    /// The request for one attempt of `envelope` to `webhook`: the body in the webhook's format,
    /// the relay's headers, the signatures (custom webhooks with secrets), the operator's headers
    /// and `Authorization`.
    ///
    /// ```swift
    /// let request = OutboundRequest.make(envelope, to: webhook, timestamp: Clock.nowMillis() / 1000)
    /// request.header("X-AuditRelay-Sequence")  // "42"
    /// ```
    ///
    /// - Parameter timestamp: Unix seconds of this attempt (`webhook-timestamp`).
    public static func make(_ envelope: MessageEnvelope, to webhook: Webhook, timestamp: Int64) -> OutboundRequest {
        let body = Array(envelope.event.body)
        var headers: [(name: String, value: String)] = [
            ("User-Agent", "AuditRelay/\(RelayVersion.current)"),
            (
                "Content-Type",
                webhook.headers.first { $0.key.lowercased() == "content-type" }?.value ?? "application/json"
            ),
            ("X-AuditRelay-Event-Type", envelope.event.type),
            ("X-AuditRelay-Event-Id", envelope.event.id.headerSafe),
            ("X-AuditRelay-Message-Id", envelope.messageID),
            ("X-AuditRelay-Attempt", String(envelope.attempt)),
            ("X-AuditRelay-Sequence", String(envelope.sequence)),
        ]
        if webhook.kind == .custom {
            headers += Signer.headers(
                body: body, secrets: webhook.secrets, messageID: envelope.messageID, timestamp: timestamp,
                hubSignature: webhook.hubSignature)
            for (name, value) in webhook.headers.sorted(by: { $0.key < $1.key })
            where name.lowercased() != "content-type" {
                headers.append((name, value))
            }
            if let authorization = webhook.authorization {
                headers.append(("Authorization", authorization))
            }
        }
        return OutboundRequest(url: webhook.url, headers: headers, body: body)
    }
}

extension String {
    /// The string with anything a header value may not carry (controls, non-ASCII) percent-encoded.
    fileprivate var headerSafe: String {
        guard unicodeScalars.contains(where: { $0.value < 0x20 || $0.value > 0x7E }) else { return self }
        return addingPercentEncoding(
            withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "%")))
            ?? self
    }
}
