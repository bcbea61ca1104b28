import Foundation
import GRDB
import RelayCore

/// One recorded attempt, as the delivery log shows it (SPEC §7): one request, with the fields of
/// the message it shows at the top level and, for a batch, every message it carried.
public struct AttemptLogEntry: Sendable, Equatable {
    public var id: Int64
    /// The message shown: the request's first, or for a filtered read the first that matches.
    public var messageID: String
    public var eventID: String
    public var eventType: String
    public var webhookID: String
    public var webhookName: String
    public var attempt: Int
    /// Unix milliseconds.
    public var startedAt: Int64
    public var durationMillis: Int64
    public var httpStatus: Int?
    public var error: String?
    public var outcome: AttemptOutcome
    public var nextAttemptAt: Int64?
    public var responseBody: [UInt8]
    /// Every message of a request that carried several (a batch), each with its own outcome;
    /// empty for a request of one message.
    public var members: [AttemptMember]

    /// How many messages the request carried.
    public var messageCount: Int { max(1, members.count) }

    /// Every message the request carried with its outcome: the members of a batch, or the one
    /// message of the top-level fields.
    public var messages: [AttemptMember] {
        guard members.isEmpty else { return members }
        return [
            AttemptMember(
                messageID: messageID, eventID: eventID, eventType: eventType, attempt: attempt, outcome: outcome,
                nextAttemptAt: nextAttemptAt, error: error)
        ]
    }
}

/// A message of a batch request, as its attempt record lists it (stored as JSON in `members`).
public struct AttemptMember: Sendable, Equatable, Decodable {
    public var messageID: String
    public var eventID: String
    public var eventType: String
    public var attempt: Int
    public var outcome: AttemptOutcome
    /// Unix milliseconds.
    public var nextAttemptAt: Int64?
    public var error: String?

    /// The stored member names (also what the delivery-log filters look up with `json_extract`).
    enum CodingKeys: String, CodingKey {
        case messageID = "messageId", eventID = "eventId", eventType, attempt, outcome, nextAttemptAt, error
    }
}

extension AttemptLogEntry {
    init(row: Row) throws {
        let members: [AttemptMember] =
            if let json = row["members"] as String? {
                try JSONDecoder().decode([AttemptMember].self, from: Data(json.utf8))
            } else {
                []
            }
        self.init(
            id: row["id"], messageID: row["message_uid"], eventID: row["event_id"], eventType: row["event_type"],
            webhookID: row["webhook_id"], webhookName: row["webhook_name"], attempt: row["attempt"],
            startedAt: row["started_at"], durationMillis: row["duration_ms"], httpStatus: row["http_status"],
            error: row["error"], outcome: AttemptOutcome(rawValue: row["outcome"]) ?? .failed,
            nextAttemptAt: row["next_attempt_at"], responseBody: Array((row["response_body"] as Data?) ?? Data()),
            members: members)
    }

    /// Shows `member` at the top level.
    mutating func show(_ member: AttemptMember) {
        messageID = member.messageID
        eventID = member.eventID
        eventType = member.eventType
        attempt = member.attempt
        outcome = member.outcome
        nextAttemptAt = member.nextAttemptAt
        error = member.error
    }
}

/// Which attempts to read from the delivery log.
public struct AttemptQuery: Sendable, Equatable {
    /// A webhook's id or name.
    public var webhook: String?
    public var eventID: String?
    public var eventType: String?
    public var outcome: AttemptOutcome?
    /// Attempts started at or after this time (Unix milliseconds).
    public var since: Int64?
    /// Attempts started before this time (Unix milliseconds).
    public var until: Int64?
    /// Only attempts with a smaller id (paging back, newest first).
    public var beforeID: Int64?
    /// Only attempts with a larger id (following, oldest first).
    public var afterID: Int64?
    public var limit: Int

    /// Most messages one read returns: it ends early, after the entry that reaches this, so that
    /// a page of big batches stays small (ten thousand messages can share one entry).
    public static let messagesPerPage = 5_000

    /// Whether `entries`, read with this query, may be followed by more: the page is full by
    /// its `limit` or by ``messagesPerPage``.
    public func isFull(_ entries: [AttemptLogEntry]) -> Bool {
        entries.count >= limit || entries.reduce(0) { $0 + $1.messageCount } >= Self.messagesPerPage
    }

    /// Whether `member` passes the event, type and status filters.
    func matches(_ member: AttemptMember) -> Bool {
        (eventID.map { $0 == member.eventID } ?? true) && (eventType.map { $0 == member.eventType } ?? true)
            && (outcome.map { $0 == member.outcome } ?? true)
    }

    public init(
        webhook: String? = nil, eventID: String? = nil, eventType: String? = nil, outcome: AttemptOutcome? = nil,
        since: Int64? = nil, until: Int64? = nil, beforeID: Int64? = nil, afterID: Int64? = nil, limit: Int = 100
    ) {
        self.webhook = webhook
        self.eventID = eventID
        self.eventType = eventType
        self.outcome = outcome
        self.since = since
        self.until = until
        self.beforeID = beforeID
        self.afterID = afterID
        self.limit = limit
    }
}

extension AuditStore {
    /// Recorded attempts, newest first, optionally for one webhook or event.
    public func attempts(webhookID: String? = nil, eventID: String? = nil, limit: Int = 100) async throws
        -> [AttemptLogEntry]
    {
        try await attempts(matching: AttemptQuery(webhook: webhookID, eventID: eventID, limit: limit))
    }

    /// The attempts `query` selects: newest first, or oldest first when it follows (`afterID`).
    ///
    /// The event, type and status filters look at each message of a batch: a batch matches when
    /// one of its messages matches all of them, and is shown with that message at the top level.
    public func attempts(matching query: AttemptQuery) async throws -> [AttemptLogEntry] {
        try await pool.read { db in
            var conditions: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            func add(_ condition: String, _ values: [(any DatabaseValueConvertible)?]) {
                conditions.append(condition)
                arguments.append(contentsOf: values)
            }
            if let webhook = query.webhook { add("(webhook_id = ? OR webhook_name = ?)", [webhook, webhook]) }
            if let eventID = query.eventID {
                // The links find candidates; the per-message check below is what makes a match (a
                // link can outlive its attempt while the event stays, and attempt ids can be reused).
                add(
                    "id IN (SELECT attempt_id FROM attempt_events WHERE event_seq = (SELECT seq FROM events WHERE id = ?))",
                    [eventID])
            }
            // Per message: the row's own columns for a request of one, each member of a batch.
            let perMessage: [(column: String, member: String, value: String)] = [
                query.eventID.map { ("event_id", AttemptMember.CodingKeys.eventID.rawValue, $0) },
                query.eventType.map { ("event_type", AttemptMember.CodingKeys.eventType.rawValue, $0) },
                query.outcome.map { ("outcome", AttemptMember.CodingKeys.outcome.rawValue, $0.rawValue) },
            ].compactMap { $0 }
            if !perMessage.isEmpty {
                let columns = perMessage.map { "\($0.column) = ?" }.joined(separator: " AND ")
                let members = perMessage.map { "json_extract(value, '$.\($0.member)') = ?" }.joined(separator: " AND ")
                add(
                    "((members IS NULL AND \(columns)) OR EXISTS (SELECT 1 FROM json_each(attempts.members) WHERE \(members)))",
                    perMessage.map(\.value) + perMessage.map(\.value))
            }
            if let since = query.since { add("started_at >= ?", [since]) }
            if let until = query.until { add("started_at < ?", [until]) }
            if let beforeID = query.beforeID { add("id < ?", [beforeID]) }
            if let afterID = query.afterID { add("id > ?", [afterID]) }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let order = query.afterID == nil ? "DESC" : "ASC"
            let rows = try Row.fetchCursor(
                db, sql: "SELECT * FROM attempts \(filter) ORDER BY id \(order) LIMIT ?",
                arguments: StatementArguments(arguments + [query.limit]))
            var entries: [AttemptLogEntry] = []
            var messages = 0
            while messages < AttemptQuery.messagesPerPage, let row = try rows.next() {
                var entry = try AttemptLogEntry(row: row)
                if !perMessage.isEmpty, let shown = entry.members.first(where: query.matches) { entry.show(shown) }
                messages += entry.messageCount
                entries.append(entry)
            }
            return entries
        }
    }

    /// The id of the newest recorded attempt (0 when none).
    public func latestAttemptID() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM attempts") ?? 0 }
    }

    /// The message ids and statuses of an event's messages (for tests and `GET /v1/events/{id}`).
    public func messageStatuses(eventID: String) async throws -> [(
        messageID: String, webhookID: String, status: MessageStatus
    )] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT m.uid, m.webhook_id, m.status FROM messages m JOIN events e ON e.seq = m.event_seq
                    WHERE e.id = ? ORDER BY m.id
                    """, arguments: [eventID]
            ).map { ($0["uid"], $0["webhook_id"], MessageStatus(rawValue: $0["status"]) ?? .pending) }
        }
    }

    /// How many events are stored; with `includingOwn: false`, only those sent to the relay (not
    /// its own `auditrelay.*` events, SPEC §13).
    public func eventCount(includingOwn: Bool = true) async throws -> Int {
        let filter = includingOwn ? "" : " WHERE type NOT LIKE 'auditrelay.%'"
        return try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events" + filter) ?? 0 }
    }
}
