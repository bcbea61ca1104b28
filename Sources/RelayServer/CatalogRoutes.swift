import Foundation
import Hummingbird
import NIOCore
import RelayCore
import RelayStore

/// `GET /v1/event-types` and `GET /v1/events/{id}`.
struct CatalogRoutes<Context: RequestContext>: Sendable {
    let admin: AdminContext

    func register(on router: Router<Context>) {
        router.admin(.get, "/v1/event-types", admin) { _, _ in
            let seen = try await admin.store.seenEventTypes()
            var entries: [String: EventTypeView] = [:]
            for declared in admin.configuration.eventTypes {
                entries[declared.name] = EventTypeView(
                    name: declared.name, description: declared.description, firstSeenAt: nil)
            }
            for type in seen {
                entries[type.name, default: EventTypeView(name: type.name, description: nil, firstSeenAt: nil)]
                    .firstSeenAt = RFC3339.format(millis: type.firstSeenAt)
            }
            return try JSONResponses.encode(["eventTypes": entries.values.sorted { $0.name < $1.name }])
        }
        router.admin(.get, "/v1/events/:id", admin) { _, context in
            let id = try context.parameters.require("id")
            guard let detail = try await admin.store.eventDetail(id: id) else {
                throw ProblemResponse(.notFound, detail: "no event has the id \(id)")
            }
            return try Self.render(detail)
        }
    }

    /// The event object as stored, its messages and attempts.
    private static func render(_ detail: EventDetail) throws -> Response {
        let rest = try JSONEncoder.relay.encode(
            EventDetailView(
                receivedAt: RFC3339.format(millis: detail.receivedAt),
                messages: detail.messages.map(MessageView.init), attempts: detail.attempts.map(AttemptView.init)))
        // {"event":<stored bytes>, …rest}: the event is shown exactly as stored.
        var body = Data(#"{"event":"#.utf8)
        body.append(detail.event.body)
        body.append(UInt8(ascii: ","))
        body.append(rest.dropFirst())
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

private struct EventTypeView: Encodable {
    let name: String
    let description: String?
    var firstSeenAt: String?
}

private struct EventDetailView: Encodable {
    let receivedAt: String
    let messages: [MessageView]
    let attempts: [AttemptView]
}

private struct MessageView: Encodable {
    let id: String
    let webhookId: String
    let sequence: Int64
    let status: MessageStatus
    let attempts: Int
    let nextAttemptAt: String?

    init(_ message: MessageSummary) {
        id = message.id
        webhookId = message.webhookID
        sequence = message.sequence
        status = message.status
        attempts = message.attempts
        nextAttemptAt = message.nextAttemptAt.map(RFC3339.format(millis:))
    }
}

/// One attempt as the API shows it (SPEC §7): one request. A batch also lists every message it
/// carried, each with its own outcome, in `messages`; its top-level message fields show the first
/// of them (or, for a filtered read, the first that matches).
struct AttemptView: Encodable {
    let id: String
    let messageId: String
    let eventId: String
    let eventType: String
    let webhookId: String
    let webhookName: String
    let attempt: Int
    let startedAt: String
    let durationMs: Int64
    let httpStatus: Int?
    let error: String?
    let outcome: String
    let nextAttemptAt: String?
    let responseBody: String
    let messageCount: Int
    let messages: [MemberView]?

    init(_ entry: AttemptLogEntry) {
        id = "att_\(entry.id)"
        messageId = entry.messageID
        eventId = entry.eventID
        eventType = entry.eventType
        webhookId = entry.webhookID
        webhookName = entry.webhookName
        attempt = entry.attempt
        startedAt = RFC3339.format(millis: entry.startedAt)
        durationMs = entry.durationMillis
        httpStatus = entry.httpStatus
        error = entry.error
        outcome = entry.outcome.rawValue
        nextAttemptAt = entry.nextAttemptAt.map(RFC3339.format(millis:))
        responseBody = String(decoding: entry.responseBody, as: UTF8.self)
        messageCount = entry.messageCount
        messages = entry.members.isEmpty ? nil : entry.members.map(MemberView.init)
    }

    private enum CodingKeys: String, CodingKey {
        case id, messageId, eventId, eventType, webhookId, webhookName, attempt, startedAt, durationMs, httpStatus
        case error, outcome, nextAttemptAt, responseBody, messageCount, messages
    }

    /// Every member is present; absent values are `null`, and `messages` only for a batch.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(messageId, forKey: .messageId)
        try container.encode(eventId, forKey: .eventId)
        try container.encode(eventType, forKey: .eventType)
        try container.encode(webhookId, forKey: .webhookId)
        try container.encode(webhookName, forKey: .webhookName)
        try container.encode(attempt, forKey: .attempt)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(durationMs, forKey: .durationMs)
        try container.encode(httpStatus, forKey: .httpStatus)
        try container.encode(error, forKey: .error)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(nextAttemptAt, forKey: .nextAttemptAt)
        try container.encode(responseBody, forKey: .responseBody)
        try container.encode(messageCount, forKey: .messageCount)
        try container.encodeIfPresent(messages, forKey: .messages)
    }

    /// One message of a batch.
    struct MemberView: Encodable {
        let messageId: String
        let eventId: String
        let eventType: String
        let attempt: Int
        let outcome: String
        let nextAttemptAt: String?
        let error: String?

        init(_ member: AttemptMember) {
            messageId = member.messageID
            eventId = member.eventID
            eventType = member.eventType
            attempt = member.attempt
            outcome = member.outcome.rawValue
            nextAttemptAt = member.nextAttemptAt.map(RFC3339.format(millis:))
            error = member.error
        }

        private enum CodingKeys: String, CodingKey {
            case messageId, eventId, eventType, attempt, outcome, nextAttemptAt, error
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(messageId, forKey: .messageId)
            try container.encode(eventId, forKey: .eventId)
            try container.encode(eventType, forKey: .eventType)
            try container.encode(attempt, forKey: .attempt)
            try container.encode(outcome, forKey: .outcome)
            try container.encode(nextAttemptAt, forKey: .nextAttemptAt)
            try container.encode(error, forKey: .error)
        }
    }
}
