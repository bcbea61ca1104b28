import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RelayCore

/// An RFC 9457 `application/problem+json` answer: the only shape of error the API gives.
///
/// ```swift
/// throw ProblemResponse(.unauthorized)
/// ```
struct ProblemResponse: HTTPResponseError {
    let problem: RelayProblem
    var extraHeaders: HTTPFields = [:]

    init(_ problem: RelayProblem, headers: HTTPFields = [:]) {
        self.problem = problem
        self.extraHeaders = headers
    }

    /// A problem with no detail beyond its status (used for `401`, which reveals nothing).
    init(_ status: HTTPResponse.Status, detail: String? = nil) {
        self.problem = RelayProblem(
            status: status.code, title: status.reasonPhrase, detail: detail ?? status.reasonPhrase)
    }

    /// A bare `401` with `WWW-Authenticate: Bearer`: nothing about which token was expected.
    static var unauthorized: ProblemResponse {
        var problem = ProblemResponse(.unauthorized)
        problem.extraHeaders[.wwwAuthenticate] = "Bearer"
        return problem
    }

    var status: HTTPResponse.Status { .init(code: problem.status) }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try JSONEncoder.relay.encode(problem)
        var headers = extraHeaders
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Turns every error a route throws into problem+json, so nothing internal leaks into a `500`.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let problem as ProblemResponse {
            throw problem
        } catch let problem as RelayProblem {
            throw ProblemResponse(problem)
        } catch let error as HTTPError {
            throw ProblemResponse(error.status, detail: error.body)
        } catch is NIOTooManyBytesError {
            throw ProblemResponse(.tooLarge("the request body is over the configured limit"))
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)", "http.path": "\(request.uri.path)"])
            throw ProblemResponse(.internalServerError, detail: "the relay could not complete the request")
        }
    }
}

extension RelayProblem {
    /// The `404` for an unknown webhook id.
    static func webhookNotFound(_ id: String) -> RelayProblem {
        RelayProblem(status: 404, title: "Not Found", detail: "no webhook has the id \(id)")
    }

    static func sourceNotFound(_ id: String) -> RelayProblem {
        RelayProblem(status: 404, title: "Not Found", detail: "no source has the id \(id)")
    }
}
