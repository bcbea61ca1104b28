import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RelayCore
import RelayStore

/// `POST /v1/events`: read, validate, store with fan-out, and answer `202` only after the commit.
struct IngestRoutes<Context: RequestContext>: Sendable {
    let store: AuditStore
    let tokens: AccessTokens
    let settings: RelayConfiguration.Ingest
    let metrics: RelayMetrics

    func register(on router: Router<Context>) {
        router.post("/v1/events") { request, context in try await self.ingest(request, context: context) }
    }

    private func ingest(_ request: Request, context: Context) async throws -> Response {
        try tokens.authorize(request)
        guard let header = request.headers[.contentType], let contentType = IngestContentType(header: header) else {
            throw ProblemResponse(
                RelayProblem(
                    status: 415, title: "Unsupported Media Type",
                    detail: "Content-Type must be one of \(IngestContentType.supported.joined(separator: ", "))"))
        }
        let body = try await IngestAnswers.body(of: request, limit: settings.maxBodyBytes)
        let incoming = try IngestParser.parse(Array(body.readableBytesView), as: contentType, limits: settings.limits)
        let receivedAt = WallClock.nowMillis()
        let events = incoming.map { $0.stored(receivedAt: receivedAt) }
        let receipt: IngestReceipt
        let started = ContinuousClock.now
        do {
            receipt = try await store.ingest(events, receivedAt: receivedAt, maxQueued: settings.maxQueuedEvents)
            metrics.ingested(receipt, commit: ContinuousClock.now - started)
        } catch let error as StoreError {
            throw IngestAnswers.unavailable(error)
        }
        return IngestAnswers.accepted(receipt)
    }
}
