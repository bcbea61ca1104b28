import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1
import RelayCore
import RelayServer
import RelayStore
import RelayTestSupport
import Testing

/// The admin token every test relay accepts (see `testConfiguration`).
let testAdminToken = "test-admin-token"

/// A relay a test talks to: over a socket (``RunningRelay``) or through Hummingbird's router
/// test client, with no socket (``RouterRelay``, what `withAdminRelay` gives).
protocol TestRelay: Sendable {
    /// The configuration it runs with.
    var configuration: RelayConfiguration { get }

    /// Sends one request with exactly these headers and body, and returns the answer.
    func send(method: HTTPMethod, path: String, headers: [(String, String)], body: String?) async throws -> HTTPReply
}

extension RunningRelay: TestRelay {
    func send(method: HTTPMethod, path: String, headers: [(String, String)], body: String?) async throws -> HTTPReply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        var replyHeaders: [String: String] = [:]
        for header in response.headers { replyHeaders[header.name.lowercased()] = header.value }
        return HTTPReply(status: Int(response.status.code), headers: replyHeaders, body: String(buffer: bytes))
    }
}

/// The relay's application driven through Hummingbird's `.router` test client: the same routes,
/// middleware and services, no socket.
struct RouterRelay: TestRelay {
    let client: any TestClientProtocol
    let configuration: RelayConfiguration

    func send(method: HTTPMethod, path: String, headers: [(String, String)], body: String?) async throws -> HTTPReply {
        var fields = HTTPFields()
        for (name, value) in headers {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        guard let requestMethod = HTTPRequest.Method(method.rawValue) else { throw CancellationError() }
        let response = try await client.executeRequest(
            uri: path, method: requestMethod, headers: fields, body: body.map { ByteBuffer(string: $0) })
        var replyHeaders: [String: String] = [:]
        for field in response.headers { replyHeaders[field.name.canonicalName] = field.value }
        return HTTPReply(
            status: response.status.code, headers: replyHeaders, body: String(buffer: response.body))
    }
}

extension TestRelay {
    /// Sends one request to the relay.
    ///
    /// `token` is sent as `Authorization: Bearer <token>` (none when `nil`); `authorization`, when
    /// given, is sent verbatim instead. A body is sent as `application/json` unless `contentType`
    /// says otherwise (no `Content-Type` when it is `nil`).
    func request(
        method: HTTPMethod, path: String, body: String? = nil, token: String? = testAdminToken,
        authorization: String? = nil, contentType: String? = "application/json"
    ) async throws -> HTTPReply {
        var headers: [(String, String)] = []
        if let authorization {
            headers.append(("Authorization", authorization))
        } else if let token {
            headers.append(("Authorization", "Bearer \(token)"))
        }
        if body != nil, let contentType { headers.append(("Content-Type", contentType)) }
        return try await send(method: method, path: path, headers: headers, body: body)
    }

    /// `POST /v1/events` with the given body (no `Content-Type` when `contentType` is `nil`).
    func postEvents(
        _ body: String, contentType: String? = "application/json", token: String? = testIngestToken
    ) async throws -> HTTPReply {
        try await request(method: .POST, path: "/v1/events", body: body, token: token, contentType: contentType)
    }

    /// A second handle on the relay's store, to look at what it holds.
    func openStore() throws -> AuditStore {
        try openTestStore(configuration)
    }

    /// `POST /v1/webhooks` with `body`; requires a `201` and returns the webhook as the API shows it.
    func createWebhook(_ body: String, sourceLocation: SourceLocation = #_sourceLocation) async throws
        -> WebhookResource
    {
        let reply = try await request(method: .POST, path: "/v1/webhooks", body: body)
        try #require(
            reply.status == 201, "create answered \(reply.status): \(reply.body)", sourceLocation: sourceLocation)
        return try reply.decoded(WebhookResource.self, sourceLocation: sourceLocation)
    }

    /// `POST /v1/webhooks` with `request`; requires a `201`.
    func createWebhook(_ request: WebhookRequest, sourceLocation: SourceLocation = #_sourceLocation) async throws
        -> WebhookResource
    {
        try await createWebhook(try jsonText(request), sourceLocation: sourceLocation)
    }

    /// `GET /v1/webhooks/{id}`; requires a `200`.
    func webhook(_ id: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> WebhookResource {
        let reply = try await request(method: .GET, path: "/v1/webhooks/\(id)")
        try #require(reply.status == 200, "GET answered \(reply.status): \(reply.body)", sourceLocation: sourceLocation)
        return try reply.decoded(WebhookResource.self, sourceLocation: sourceLocation)
    }

    /// `GET /v1/webhooks`.
    func webhookList() async throws -> [WebhookResource] {
        let reply = try await request(method: .GET, path: "/v1/webhooks")
        try #require(reply.status == 200)
        return try reply.decoded(WebhookList.self).webhooks
    }

    /// `GET` of `path`, requiring a `200` and an answer of type `T`.
    func get<T: Decodable>(_ path: String, as type: T.Type, sourceLocation: SourceLocation = #_sourceLocation)
        async throws -> T
    {
        let reply = try await request(method: .GET, path: path)
        try #require(
            reply.status == 200, "GET \(path) answered \(reply.status): \(reply.body)", sourceLocation: sourceLocation)
        return try reply.decoded(type, sourceLocation: sourceLocation)
    }
}

extension HTTPReply {
    /// The problem+json body, if it is one.
    var problem: RelayProblem? { try? JSONDecoder().decode(RelayProblem.self, from: Data(body.utf8)) }

    /// The `errors` member of a problem+json body.
    var fieldErrors: [FieldError] { problem?.errors ?? [] }

    /// The fields named in `errors`.
    var errorFields: Set<String> { Set(fieldErrors.map(\.field)) }

    /// The reason given for `field`, if it is named.
    func reason(for field: String) -> String? {
        fieldErrors.first { $0.field == field }?.reason
    }
}

/// Expects an RFC 9457 answer with `status`: problem+json, with `status`, `title` and `detail`.
func expectProblem(
    _ reply: HTTPReply, status: Int, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(reply.status == status, "\(reply.body)", sourceLocation: sourceLocation)
    #expect(reply.headers["content-type"] == "application/problem+json", sourceLocation: sourceLocation)
    let members = reply.members
    #expect(members["type"] == .string(RelayProblem.type), sourceLocation: sourceLocation)
    #expect(members["status"] == .number(Double(status)), sourceLocation: sourceLocation)
    #expect(members["title"]?.string?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(members["detail"]?.string?.isEmpty == false, sourceLocation: sourceLocation)
}

/// Expects a `422` validation problem whose `errors` name `field`; returns the reason given.
@discardableResult
func expectInvalid(
    _ reply: HTTPReply, field: String, sourceLocation: SourceLocation = #_sourceLocation
) -> String? {
    expectProblem(reply, status: 422, sourceLocation: sourceLocation)
    #expect(
        reply.errorFields.contains(field), "errors \(reply.fieldErrors) do not name \(field)",
        sourceLocation: sourceLocation)
    let reason = reply.reason(for: field)
    #expect(reason?.isEmpty == false, sourceLocation: sourceLocation)
    return reason
}

/// Whether `text` is an RFC 3339 date-time (with a `Z` or numeric offset).
func isRFC3339(_ text: String?) -> Bool {
    guard let text else { return false }
    let pattern = #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/#
    guard text.wholeMatch(of: pattern) != nil else { return false }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions =
        text.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
    return formatter.date(from: text) != nil
}

/// The date of an RFC 3339 value.
func rfc3339Date(_ text: String?) -> Date? {
    guard let text else { return nil }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions =
        text.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
    return formatter.date(from: text)
}

/// A webhook read with the members an unrelated change also changes (`updatedAt`) set aside, for
/// before/after comparisons.
func stable(_ webhook: WebhookResource) -> WebhookResource {
    var webhook = webhook
    webhook.updatedAt = ""
    return webhook
}

/// `value` as JSON text (for request bodies built from API types).
func jsonText(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// A Slack incoming-webhook URL (never contacted).
let slackURL = "https://hooks.slack.com/services/T0001/B0002/abcdefghijklmnop"

/// Runs a test relay (fresh store, `webhooks` declared) on Hummingbird's router test client, with
/// its services, for the duration of `body`: the admin API's tests need no socket.
func withAdminRelay<T: Sendable>(
    webhooks: [WebhookSpec] = [], _ body: @Sendable (RouterRelay) async throws -> T
) async throws -> T {
    let configuration = testConfiguration(directory: try TestFixtures.temporaryDirectory(), webhooks: webhooks)
    var logger = Logger(label: "test-relay")
    logger.logLevel = .error
    let app = try await buildApplication(configuration: configuration, logger: logger)
    return try await app.test(.router) { client in
        try await body(RouterRelay(client: client, configuration: configuration))
    }
}

/// A `POST /v1/webhooks` body for a custom webhook named `name` at `url` (extra members spliced in).
/// A create request's body. Its webhook takes `user.*` unless told otherwise: on `*` it would also
/// take the relay's records of each test's changes (SPEC §13) and try to deliver them.
func webhookBody(
    _ name: String, url: String = "https://siem.example.com/in", events: String = "user.*", extra: String = ""
) -> String {
    let tail = extra.isEmpty ? "" : "," + extra
    return #"{"name":"\#(name)","url":"\#(url)","events":["\#(events)"]\#(tail)}"#
}
