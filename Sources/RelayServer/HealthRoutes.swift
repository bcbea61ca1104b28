import Hummingbird
import Logging
import NIOCore
import RelayStore

/// `GET /healthz` (the process answers) and `GET /readyz` (the store takes writes); no token.
struct HealthRoutes<Context: RequestContext>: Sendable {
    let store: AuditStore

    func register(on router: Router<Context>) {
        router.get("/healthz") { _, _ in Self.json(#"{"status":"ok"}"#) }
        router.get("/readyz") { _, context in
            do {
                try await store.probeWritable()
                return Self.json(#"{"status":"ready"}"#)
            } catch {
                context.logger.warning("store not writable", metadata: ["error": "\(error)"])
                throw ProblemResponse(.serviceUnavailable, detail: "the store does not accept writes")
            }
        }
    }

    private static func json(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
