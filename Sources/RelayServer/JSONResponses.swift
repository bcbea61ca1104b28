import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RelayCore

/// Reading request bodies and writing JSON answers, the same way on every route.
enum JSONResponses {
    /// Largest admin request body.
    static let maxAdminBodyBytes = 1_048_576

    /// `value` as a JSON response.
    static func encode(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSONEncoder.relay.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// An empty `204`.
    static func noContent() -> Response {
        Response(status: .noContent)
    }

    /// The request's JSON object body; an empty body reads as `{}` when `emptyIsObject`.
    static func object(_ request: Request, emptyIsObject: Bool = false) async throws -> [String: JSONValue] {
        let mediaType = request.headers[.contentType].map {
            $0.split(separator: ";", maxSplits: 1)[0].trimmingCharacters(in: .whitespaces).lowercased()
        }
        if let mediaType, mediaType != "application/json", !mediaType.hasSuffix("+json") {
            throw ProblemResponse(
                RelayProblem(
                    status: 415, title: "Unsupported Media Type", detail: "Content-Type must be application/json"))
        }
        let body = try await request.body.collect(upTo: maxAdminBodyBytes)
        if body.readableBytes == 0 && emptyIsObject { return [:] }
        return try JSONValue.object(from: Array(body.readableBytesView))
    }
}

extension JSONEncoder {
    /// The encoder every API answer uses: sorted keys, slashes unescaped.
    static var relay: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
