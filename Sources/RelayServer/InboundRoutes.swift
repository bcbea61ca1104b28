import Foundation
import Hummingbird
import Logging
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
    let metrics: RelayMetrics
    let logger: Logger

    func register(on router: Router<Context>) {
        router.post("/v1/inbound/:id") { request, context in
            try await receive(request, sourceID: try context.parameters.require("id"))
        }
    }

    private func receive(_ request: Request, sourceID: String) async throws -> Response {
        guard let source = try await store.source(id: sourceID) else { throw ProblemResponse(Self.notFound) }
        let headers = HeaderFields(request.headers.map { (name: $0.name.rawName, value: $0.value) })
        // Unsigned requests are refused before their body is read.
        guard source.provider.signatureHeaders.contains(where: { headers[$0] != nil }) else {
            return try await refuse(source, reason: "no signature header")
        }
        let body = Array(try await IngestAnswers.body(of: request, limit: settings.maxBodyBytes).readableBytesView)
        let now = WallClock.nowMillis()
        var secrets = source.secrets
        secrets.refresh(now: now)
        let verification = SignatureVerifier.verifyInbound(
            source.provider, headers: headers, body: body, secrets: secrets.accepted, now: now / 1000,
            toleranceSeconds: settings.timestampTolerance.milliseconds / 1000)
        guard let secretIndex = verification.matchedSecret else {
            return try await refuse(source, reason: verification.failure ?? "no secret matched")
        }
        let delivery: InboundDelivery
        switch InboundDelivery.read(source.provider, headers: headers, body: body) {
        case .success(let read): delivery = read
        case .failure(let refusal): throw ProblemResponse(.malformed(refusal.description))
        }
        let event = AuditEvent(
            id: delivery.eventID, type: delivery.type, occurredAt: now,
            body: Data(delivery.eventBody(source: source.name, receivedAt: now, payload: body)))
        // The secret itself goes into the write, where it is checked against the source as it
        // stands then: a rotation since the check above must not let the old secret through.
        let secret = secrets.accepted[secretIndex]
        let sender = delivery.sender ?? source.name
        let started = ContinuousClock.now
        do {
            let receipt = try await store.ingestInbound(
                event, sourceID: source.id, receivedAt: now, maxQueued: maxQueuedEvents
            ) { $0.verified(sender: sender, secret: secret, now: now) }
            metrics.ingested(receipt, commit: ContinuousClock.now - started)
            return IngestAnswers.accepted(receipt)
        } catch StoreError.secretNotAccepted {
            return try await refuse(source, reason: "the secret was replaced while the request was read")
        } catch StoreError.sourceNotFound {
            throw ProblemResponse(Self.notFound)
        } catch let error as StoreError {
            throw IngestAnswers.unavailable(error)
        }
    }

    /// Counts a refused request on its source, logs why (cut short: it may be the caller's
    /// text), and answers the same `401` whatever the reason.
    private func refuse(_ source: Source, reason: String) async throws -> Response {
        try await store.recordRejection(sourceID: source.id, at: WallClock.nowMillis())
        logger.info(
            "inbound request refused",
            metadata: ["relay.source": "\(source.name)", "relay.reason": "\(reason.prefix(120).debugDescription)"])
        throw ProblemResponse(Self.unauthorized)
    }

    /// The same answer for a missing and a wrong signature, whichever secret was tried.
    private static var unauthorized: RelayProblem {
        RelayProblem(status: 401, title: "Unauthorized", detail: "the request's signature could not be verified")
    }

    private static var notFound: RelayProblem {
        RelayProblem(status: 404, title: "Not Found", detail: "no such source")
    }
}
