import Hummingbird
import Logging
import NIOCore
import RelayCore
import RelayDelivery
import RelayStore

/// `GET /healthz` (the process answers), `GET /readyz` (the dispatcher runs and the store takes
/// writes) and `GET /metrics` (Prometheus text); no token.
struct HealthRoutes<Context: RequestContext>: Sendable {
    let store: AuditStore
    let dispatcher: Dispatcher
    let metrics: RelayMetrics

    func register(on router: Router<Context>) {
        router.get("/healthz") { _, _ in Self.json(#"{"status":"ok"}"#) }
        router.get("/readyz") { _, context in
            guard dispatcher.isRunning else {
                throw ProblemResponse(.serviceUnavailable, detail: "the dispatcher is not running")
            }
            do {
                try await store.probeWritable(now: WallClock.nowMillis())
            } catch {
                context.logger.warning("store not writable", metadata: ["error": "\(error)"])
                throw ProblemResponse(.serviceUnavailable, detail: "the store does not accept writes: \(error)")
            }
            return Self.json(#"{"status":"ready"}"#)
        }
        router.get("/metrics") { _, _ in
            let queues = try await store.queueStatistics()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.render(queues: queues, now: WallClock.nowMillis()))))
        }
    }

    private static func json(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
