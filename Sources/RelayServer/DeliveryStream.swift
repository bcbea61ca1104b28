import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RelayCore
import RelayStore
import ServiceLifecycle

/// New delivery attempts as Server-Sent Events (SPEC §7), for the API's stream and the page's live
/// Deliveries view: each matching attempt once, in order, with its cursor as the event id, from
/// `start` on; a keep-alive comment when nothing happens; the stream ends cleanly on shutdown, when
/// the client leaves, or once `isWanted` says no (the page's session has ended).
struct DeliveryStream: Sendable {
    let store: AuditStore
    let query: AttemptQuery
    /// How often the stream looks for new attempts.
    var pollInterval: Duration = .milliseconds(250)
    /// How often the stream sends a keep-alive comment when nothing happens.
    var keepAliveInterval: Duration = .seconds(15)
    /// Asked before each look for new attempts: `false` ends the stream.
    var isWanted: @Sendable () -> Bool = { true }

    /// The response that streams attempts after `start`, each one's `data` as `encode` writes it.
    func response(after start: Int64, encode: @escaping @Sendable (AttemptResource) throws -> Data) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                try await stream(after: start, encode: encode, to: &writer)
            })
    }

    private func stream(
        after start: Int64, encode: @Sendable (AttemptResource) throws -> Data, to writer: inout any ResponseBodyWriter
    ) async throws {
        var last = start
        var quietSince = ContinuousClock.now
        try await writer.write(ByteBuffer(string: ": stream of delivery attempts\nretry: 1000\n\n"))
        do {
            while !Task.isCancelled && !Task.isShuttingDownGracefully && isWanted() {
                var page = query
                page.afterID = last
                let attempts = try await store.attempts(matching: page)
                for attempt in attempts {
                    let data = try encode(AttemptResource(attempt))
                    try await writer.write(
                        ByteBuffer(
                            string:
                                "id: att_\(attempt.id)\nevent: attempt\ndata: \(String(decoding: data, as: UTF8.self))\n\n"
                        ))
                    last = attempt.id
                    quietSince = .now
                }
                if ContinuousClock.now - quietSince >= keepAliveInterval {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    quietSince = .now
                }
                if !page.isFull(attempts) {
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: pollInterval) }
                }
            }
        } catch is CancellationError {
            // Shutdown or a departed client: end the stream cleanly.
        }
        try await writer.finish(nil)
    }
}
