import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RelayCore

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

    /// Sends a request and returns the answer's body. A problem answer becomes a one-line
    /// ``CommandFailure``.
    @discardableResult
    func send(_ method: Method, _ path: String, body: Data? = nil, contentType: String = "application/json")
        async throws -> Data
    {
        let base = server.hasSuffix("/") ? String(server.dropLast()) : server
        var request = HTTPClientRequest(url: base + path)
        request.method = HTTPMethod(rawValue: method.rawValue)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        do {
            response = try await Self.http.execute(request, timeout: .seconds(60))
        } catch {
            throw CommandFailure("cannot reach the relay at \(server): \(error)")
        }
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        let data = Data(bytes.readableBytesView)
        guard (200..<300).contains(response.status.code) else {
            throw CommandFailure(Self.describeProblem(status: Int(response.status.code), body: data))
        }
        return data
    }

    /// Sends a request with no body and decodes the answer.
    func call<Answer: Decodable>(_ method: Method, _ path: String, as answer: Answer.Type) async throws -> Answer {
        try Self.decode(answer, from: try await send(method, path), path: path)
    }

    /// Sends `json` as the request body and decodes the answer.
    func call<Answer: Decodable>(_ method: Method, _ path: String, json: some Encodable, as answer: Answer.Type)
        async throws -> Answer
    {
        let body = try JSONEncoder().encode(json)
        return try Self.decode(answer, from: try await send(method, path, body: body), path: path)
    }

    /// `data` as `Answer`, or a one-line failure naming the route.
    static func decode<Answer: Decodable>(_ answer: Answer.Type, from data: Data, path: String) throws -> Answer {
        do {
            return try JSONDecoder().decode(answer, from: data)
        } catch {
            throw CommandFailure("the relay's answer to \(path) is not what this command expects: \(error)")
        }
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
            throw CommandFailure(
                Self.describeProblem(status: Int(response.status.code), body: Data(bytes.readableBytesView)))
        }
        var parser = ServerSentEventParser()
        for try await chunk in response.body {
            for event in parser.feed(Array(chunk.readableBytesView)) { try onEvent(event.id, event.data) }
        }
    }

    /// One line for a problem+json answer: `422 Validation failed: url: only https is allowed`.
    static func describeProblem(status: Int, body: Data) -> String {
        guard let problem = try? JSONDecoder().decode(RelayProblem.self, from: body) else {
            return "\(status) HTTP \(status)"
        }
        return "\(status) \(problem.title)" + (problem.detail == problem.title ? "" : ": \(problem.detail)")
    }
}
