import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RelayCore
import RelayStore
import ServiceLifecycle

/// The delivery log (SPEC §7): `GET /v1/deliveries`, `GET /v1/deliveries/stream` (Server-Sent
/// Events), `POST /v1/messages/{id}/retry`, `POST /v1/webhooks/{id}/replay`.
struct DeliveryRoutes: Sendable {
    let admin: AdminContext

    func register(on router: Router<RelayRequestContext>) {
        router.admin(.get, "/v1/deliveries", admin) { request, _, _ in
            var query = try Self.query(request.uri.queryParameters)
            query.limit = min(max(Int(request.uri.queryParameters["limit"] ?? "") ?? 100, 1), 1000)
            if let cursor = request.uri.queryParameters["cursor"] {
                guard let id = AttemptResource.number(String(cursor)) else {
                    throw RelayProblem.invalid([FieldError(field: "cursor", reason: "is not a cursor from this API")])
                }
                query.beforeID = id
            }
            let attempts = try await admin.store.attempts(matching: query)
            let next = query.isFull(attempts) ? attempts.last.map { "att_\($0.id)" } : nil
            return try JSONResponses.encode(
                DeliveryPage(deliveries: attempts.map(AttemptResource.init), nextCursor: next))
        }
        router.admin(.get, "/v1/deliveries/stream", admin) { request, _, _ in
            var filters = try Self.query(request.uri.queryParameters)
            filters.limit = 500
            let query = filters
            let resumeFrom = HTTPField.Name("Last-Event-ID").flatMap { request.headers[$0] }.flatMap(
                AttemptResource.number)
            let latest = try await admin.store.latestAttemptID()
            let start = resumeFrom ?? latest
            return DeliveryStream(store: admin.store, query: query).response(after: start) {
                try JSONEncoder.relay.encode($0)
            }
        }
        router.admin(.post, "/v1/messages/:id/retry", admin) { _, context, _ in
            let id = try context.parameters.require("id")
            try await admin.retry(messageID: id)
            return try JSONResponses.encode(
                MessageRetryAccepted(messageId: id, status: .pending), status: .accepted)
        }
        router.admin(.post, "/v1/webhooks/:id/replay", admin) { request, context, _ in
            let webhook = try await admin.webhook(context)
            let replay = try ReplayRequest(json: try await JSONResponses.object(request))
            let report = try await admin.store.replay(
                webhookID: webhook.id, since: replay.since, until: replay.until, status: replay.status,
                dryRun: replay.dryRun, now: WallClock.nowMillis())
            return try JSONResponses.encode(
                ReplayResult(dryRun: replay.dryRun, count: report.count, messageIds: report.messageIDs),
                status: replay.dryRun ? .ok : .accepted)
        }
    }

    /// The filters common to the list and the stream.
    private static func query(_ parameters: Parameters) throws -> AttemptQuery {
        var query = AttemptQuery()
        var errors: [FieldError] = []
        query.webhook = parameters["webhook"].map(String.init)
        query.eventID = parameters["event"].map(String.init)
        query.eventType = parameters["type"].map(String.init)
        if let status = parameters["status"] {
            query.outcome = AttemptOutcome(rawValue: String(status))
            if query.outcome == nil {
                let allowed = AttemptOutcome.allCases.map(\.rawValue).joined(separator: ", ")
                errors.append(FieldError(field: "status", reason: "must be one of \(allowed)"))
            }
        }
        for (name, keyPath) in [("since", \AttemptQuery.since), ("until", \AttemptQuery.until)] {
            guard let text = parameters[Substring(name)] else { continue }
            guard let millis = RFC3339.parseMillis(String(text)) else {
                errors.append(FieldError(field: name, reason: "must be an RFC 3339 date-time"))
                continue
            }
            query[keyPath: keyPath] = millis
        }
        guard errors.isEmpty else { throw RelayProblem.invalid(errors) }
        return query
    }
}
