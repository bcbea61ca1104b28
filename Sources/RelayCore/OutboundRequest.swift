import Crypto
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

extension OutboundRequest {
    /// The request for one attempt of `envelope` alone to `webhook`, its body laid out in the
    /// webhook's format.
    ///
    /// ```swift
    /// let request = OutboundRequest.make(envelope, to: webhook, timestamp: WallClock.nowMillis() / 1000)
    /// request.header("X-AuditRelay-Sequence")  // "42"
    /// ```
    ///
    /// - Parameter timestamp: Unix seconds of this attempt (`webhook-timestamp`).
    public static func make(_ envelope: MessageEnvelope, to webhook: Webhook, timestamp: Int64) -> OutboundRequest {
        let layout = MessageLayout(for: webhook)
        return make([envelope], body: layout.join([layout.piece(envelope.event)]), to: webhook, timestamp: timestamp)
    }

    /// The request carrying `envelopes` (one, or a batch) in `body`: the relay's headers, the
    /// signatures over `body` (custom webhooks with secrets), the operator's headers and
    /// `Authorization` — the static one, or `Bearer <token>` for OAuth webhooks.
    ///
    /// A batch's `webhook-id` is `bat_` and a digest of its message ids (stable while the batch
    /// is retried whole), `X-AuditRelay-Sequence` is its first message's and
    /// `X-AuditRelay-Batch-Size` says how many it carries.
    public static func make(
        _ envelopes: [MessageEnvelope], body: [UInt8], to webhook: Webhook, timestamp: Int64,
        bearerToken: String? = nil
    ) -> OutboundRequest {
        precondition(!envelopes.isEmpty, "a request carries at least one message")
        let first = envelopes[0]
        let oneType = envelopes.dropFirst().allSatisfy { $0.event.type == first.event.type }
        let contentType =
            webhook.headers.first { $0.key.lowercased() == "content-type" }?.value
            ?? MessageLayout(for: webhook).contentType
        // Room for every header below, so the list is allocated once (a busy lane makes tens of
        // thousands of these a second).
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(16 + webhook.headers.count)
        headers.append(("User-Agent", userAgent))
        headers.append(("Content-Type", contentType))
        headers.append(("X-AuditRelay-Event-Type", oneType ? first.event.type : "mixed"))
        if envelopes.count == 1 {
            headers.append(("X-AuditRelay-Event-Id", first.event.id.headerSafe))
            headers.append(("X-AuditRelay-Message-Id", first.messageID))
        }
        headers.append(("X-AuditRelay-Attempt", String(envelopes.lazy.map(\.attempt).max() ?? 1)))
        headers.append(("X-AuditRelay-Sequence", String(first.sequence)))
        if webhook.batch != nil { headers.append(("X-AuditRelay-Batch-Size", String(envelopes.count))) }
        if webhook.kind == .custom {
            let requestID = envelopes.count == 1 ? first.messageID : batchID(envelopes.map(\.messageID))
            headers += Signer.headers(
                body: body, secrets: webhook.secrets, messageID: requestID, timestamp: timestamp,
                hubSignature: webhook.hubSignature)
            for (name, value) in webhook.headers.sorted(by: { $0.key < $1.key })
            where name.lowercased() != "content-type" {
                headers.append((name, value))
            }
            if let bearerToken {
                headers.append(("Authorization", "Bearer \(bearerToken)"))
            } else if let authorization = webhook.authorization {
                headers.append(("Authorization", authorization))
            }
        }
        return OutboundRequest(url: webhook.url, headers: headers, body: body)
    }

    /// `AuditRelay/<version>`.
    private static let userAgent = "AuditRelay/\(RelayVersion.current)"

    /// `bat_` and the first 26 hex digits of SHA-256 over the message ids.
    static func batchID(_ messageIDs: [String]) -> String {
        let digest = SHA256.hash(data: Data(messageIDs.joined(separator: ",").utf8))
        return "bat_" + Hex.encode(Array(digest)).prefix(26)
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
