import Foundation
import Hummingbird
import NIOCore
import RelayCore
import RelayStore

/// `GET /v1/event-types` and `GET /v1/events/{id}`.
struct CatalogRoutes: Sendable {
    let admin: AdminContext

    func register(on router: Router<RelayRequestContext>) {
        router.admin(.get, "/v1/event-types", admin) { _, _, _ in
            try JSONResponses.encode(EventTypeList(eventTypes: try await admin.eventTypes()))
        }
        router.admin(.get, "/v1/events/:id", admin) { _, context, _ in
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
            EventDetailRest(
                receivedAt: RFC3339.format(millis: detail.receivedAt),
                messages: detail.messages.map(MessageResource.init), attempts: detail.attempts.map(AttemptResource.init)
            ))
        // {"event":<stored bytes>, …rest}: the event is shown exactly as stored.
        var body = Data(#"{"event":"#.utf8)
        body.append(detail.event.body)
        body.append(UInt8(ascii: ","))
        body.append(rest.dropFirst())
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// `GET /v1/events/{id}` after its `event` member, which is written as the stored bytes.
private struct EventDetailRest: Encodable {
    let receivedAt: String
    let messages: [MessageResource]
    let attempts: [AttemptResource]
}
