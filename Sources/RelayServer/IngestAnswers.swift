import Hummingbird
import NIOCore
import RelayCore
import RelayStore

/// What `POST /v1/events` and `POST /v1/inbound/{id}` share: the body limit, the store's
/// refusals, and the `202` that follows a durable commit.
enum IngestAnswers {
    /// The request body, at most `limit` bytes; a `413` when it is larger (said by its
    /// `Content-Length` before anything is read, or found while reading).
    static func body(of request: Request, limit: Int) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw ProblemResponse(.tooLarge("the body is \(length) bytes; at most \(limit) are allowed"))
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw ProblemResponse(.tooLarge("the body is over \(limit) bytes"))
        }
    }

    /// `error` as the client sees it: a `503` to retry (a full queue or disk); nothing was stored.
    static func unavailable(_ error: StoreError) -> ProblemResponse {
        ProblemResponse(
            RelayProblem(
                status: 503, title: "Service Unavailable", detail: "\(error); nothing was stored, retry later"),
            headers: [.retryAfter: "5"])
    }

    /// The `202` for a committed request.
    static func accepted(_ receipt: IngestReceipt) -> Response {
        let accepted = IngestAccepted(accepted: receipt.accepted, duplicates: receipt.duplicates, ids: receipt.ids)
        return Response(
            status: .accepted, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: accepted.json)))
    }
}
