import Foundation

/// `202` to an ingest request: every event of it, and its deliveries, is on disk.
public struct IngestAccepted: Codable, Sendable, Equatable {
    /// Events stored and queued now.
    public var accepted: Int
    /// Events whose id was already stored; not queued again.
    public var duplicates: Int
    /// Every event's id, in request order (duplicates included).
    public var ids: [String]

    public init(accepted: Int, duplicates: Int, ids: [String]) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.ids = ids
    }

    /// The JSON body, written straight into bytes rather than through an encoder: every ingest
    /// request is answered with one.
    public var json: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(48 + ids.count * 34)
        bytes.append(contentsOf: #"{"accepted":\#(accepted),"duplicates":\#(duplicates),"ids":["#.utf8)
        for (index, id) in ids.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONText.appendQuoted(id, to: &bytes)
        }
        bytes.append(contentsOf: "]}".utf8)
        return bytes
    }
}

/// `201` to adding a signing secret: its index, and the secret in full when the relay made it.
public struct SecretAdded: Codable, Sendable, Equatable {
    public var index: Int
    public var secret: String

    public init(index: Int, secret: String) {
        self.index = index
        self.secret = secret
    }
}

/// `202` to `POST /v1/messages/{id}/retry`.
public struct MessageRetryAccepted: Codable, Sendable, Equatable {
    public var messageId: String
    public var status: MessageStatus

    public init(messageId: String, status: MessageStatus) {
        self.messageId = messageId
        self.status = status
    }
}

/// The answer to a replay: how many messages matched and (unless `dryRun`) were queued again.
public struct ReplayResult: Codable, Sendable, Equatable {
    public var dryRun: Bool
    public var count: Int
    /// The first 100 matching message ids, oldest first.
    public var messageIds: [String]

    public init(dryRun: Bool, count: Int, messageIds: [String]) {
        self.dryRun = dryRun
        self.count = count
        self.messageIds = messageIds
    }
}

/// What `POST /v1/webhooks/{id}/test` got: nothing is stored and the webhook's state is not changed.
public struct WebhookTestResult: Codable, Sendable, Equatable {
    /// The outcome a first attempt with this answer would have.
    public var outcome: AttemptOutcome
    /// Present when the destination answered.
    public var httpStatus: Int?
    /// Absent on success.
    public var error: String?
    public var durationMs: Int64
    /// The first KiB of the response body, as text.
    public var responseBody: String
    /// The synthetic event's id.
    public var eventId: String

    public init(
        outcome: AttemptOutcome, httpStatus: Int?, error: String?, durationMs: Int64, responseBody: String,
        eventId: String
    ) {
        self.outcome = outcome
        self.httpStatus = httpStatus
        self.error = error
        self.durationMs = durationMs
        self.responseBody = responseBody
        self.eventId = eventId
    }
}
