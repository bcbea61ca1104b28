import Foundation
import Hummingbird
import Logging
import NIOCore
import RelayCore
import RelayStore

/// `POST /v1/inbound/{id}` (SPEC §12): a provider's webhook, verified over the raw body against
/// the source's accepted secrets before anything is parsed, stored as an event with the source's
/// status in the same commit, and answered `202` once durable. A refusal says nothing of which
/// secret or why; the reason goes to the log (never a secret) and the source's `rejected` count.
struct InboundRoutes<Context: RequestContext>: Sendable {
    let store: AuditStore
    let settings: RelayConfiguration.Inbound
    let maxQueuedEvents: Int
    let logger: Logger

    func register(on router: Router<Context>) {
        router.post("/v1/inbound/:id") { request, context in
            try await receive(request, sourceID: try context.parameters.require("id"))
        }
    }

    private func receive(_ request: Request, sourceID: String) async throws -> Response {
        guard let source = try await store.source(id: sourceID) else { throw ProblemResponse(Self.notFound) }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > settings.maxBodyBytes {
            throw ProblemResponse(
                .tooLarge("the body is \(length) bytes; at most \(settings.maxBodyBytes) are allowed"))
        }
        let body: [UInt8]
        do {
            body = Array(try await request.body.collect(upTo: settings.maxBodyBytes).readableBytesView)
        } catch is NIOTooManyBytesError {
            throw ProblemResponse(.tooLarge("the body is over \(settings.maxBodyBytes) bytes"))
        }
        let now = WallClock.nowMillis()
        var secrets = source.secrets
        secrets.refresh(now: now)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let verification = SignatureVerifier.verifyInbound(
            source.provider, headers: headers, body: body, secrets: secrets.accepted, now: now / 1000,
            toleranceSeconds: settings.timestampTolerance.milliseconds / 1000)
        guard let secretIndex = verification.matchedSecret else {
            try await store.recordRejection(sourceID: source.id, at: now)
            logger.notice(
                "inbound request refused",
                metadata: ["relay.source": "\(source.name)", "relay.reason": "\(verification.failure ?? "")"])
            throw ProblemResponse(Self.unauthorized)
        }
        let delivery: InboundDelivery
        switch InboundDelivery.read(source.provider, headers: headers, body: body) {
        case .success(let read): delivery = read
        case .failure(let refusal): throw ProblemResponse(.malformed(refusal.description))
        }
        let event = AuditEvent(
            id: delivery.eventID, type: delivery.type, occurredAt: now,
            body: Data(delivery.eventBody(source: source.name, receivedAt: now, payload: body)))
        let sender = delivery.sender ?? source.name
        let receipt: IngestReceipt
        do {
            receipt = try await store.ingestInbound(
                event, sourceID: source.id, receivedAt: now, maxQueued: maxQueuedEvents
            ) { $0.verified(sender: sender, secretIndex: secretIndex, now: now) }
        } catch StoreError.sourceNotFound {
            throw ProblemResponse(Self.notFound)
        } catch let error as StoreError {
            throw ProblemResponse(
                RelayProblem(
                    status: 503, title: "Service Unavailable", detail: "\(error); nothing was stored, retry later"),
                headers: [.retryAfter: "5"])
        }
        let accepted = IngestAccepted(accepted: receipt.accepted, duplicates: receipt.duplicates, ids: receipt.ids)
        return Response(
            status: .accepted, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: accepted.json)))
    }

    /// The same answer for a missing and a wrong signature, whichever secret was tried.
    private static var unauthorized: RelayProblem {
        RelayProblem(status: 401, title: "Unauthorized", detail: "the request's signature could not be verified")
    }

    private static var notFound: RelayProblem {
        RelayProblem(status: 404, title: "Not Found", detail: "no such source")
    }
}
