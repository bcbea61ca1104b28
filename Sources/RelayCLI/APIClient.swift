import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The small HTTP client the operator commands use to talk to a running relay.
struct APIClient {
    /// The HTTP methods the commands use.
    enum Method: String {
        case get = "GET", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE"
    }

    let server: String
    let token: String?

    /// One client for the process: fails fast when the relay is not there (no connect retries).
    private static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(5)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Sends a request and returns the decoded JSON answer (`nil` for an empty body). A problem
    /// answer becomes a one-line ``CommandFailure``.
    func call(
        _ method: Method, _ path: String, json: Any? = nil, body: Data? = nil, contentType: String = "application/json"
    ) async throws -> Any? {
        let base = server.hasSuffix("/") ? String(server.dropLast()) : server
        var request = HTTPClientRequest(url: base + path)
        request.method = HTTPMethod(rawValue: method.rawValue)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let payload = try json.map({ try JSONSerialization.data(withJSONObject: $0) }) ?? body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: payload))
        }
        let response: HTTPClientResponse
        do {
            response = try await Self.http.execute(request, timeout: .seconds(60))
        } catch {
            throw CommandFailure("cannot reach the relay at \(server): \(error)")
        }
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        let data = Data(bytes.readableBytesView)
        let decoded = data.isEmpty ? nil : try? JSONSerialization.jsonObject(with: data)
        guard (200..<300).contains(response.status.code) else {
            throw CommandFailure(Self.describeProblem(status: Int(response.status.code), json: decoded))
        }
        return decoded
    }

    /// Follows a Server-Sent Events stream, calling `onEvent` with each event's id and data,
    /// until the server ends it or the connection drops.
    func stream(_ path: String, lastEventID: String?, onEvent: (String?, String) throws -> Void) async throws {
        let base = server.hasSuffix("/") ? String(server.dropLast()) : server
        var request = HTTPClientRequest(url: base + path)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        let response = try await Self.http.execute(request, timeout: .hours(24 * 365))
        guard response.status.code == 200 else {
            let bytes = try await response.body.collect(upTo: 1024 * 1024)
            let json = try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))
            throw CommandFailure(Self.describeProblem(status: Int(response.status.code), json: json))
        }
        var parser = ServerSentEventParser()
        for try await chunk in response.body {
            for event in parser.feed(Array(chunk.readableBytesView)) { try onEvent(event.id, event.data) }
        }
    }

    /// One line for a problem+json answer: `422 Validation failed: url: only https is allowed`.
    static func describeProblem(status: Int, json: Any?) -> String {
        let problem = json as? [String: Any] ?? [:]
        let title = problem["title"] as? String ?? "HTTP \(status)"
        let detail = problem["detail"] as? String ?? ""
        return "\(status) \(title)" + (detail.isEmpty || detail == title ? "" : ": \(detail)")
    }
}
