import Foundation
import Hummingbird
import RelayCore
import RelayDelivery
import RelayStore

/// The admin API's operations for the relay's other front ends (the settings page): the same
/// rules and store calls the `/v1` routes use, without HTTP in between, so the page validates
/// nothing the API does not validate the same way. Each change is recorded as an audit event by
/// the `origin` given (SPEC §13), in the same transaction.
public struct AdminOperations: Sendable {
    let admin: AdminContext

    /// The configuration the relay runs with.
    public var configuration: RelayConfiguration { admin.configuration }

    /// Whether `token` is an admin token.
    public func isAdminToken(_ token: String) -> Bool {
        admin.tokens.accepts(token)
    }

    /// Every webhook as the API shows it (`GET /v1/webhooks`).
    public func webhooks() async throws -> [WebhookResource] {
        try await admin.resources()
    }

    /// Creates a webhook from the members of a create request (`POST /v1/webhooks`); throws the
    /// ``RelayProblem`` the API would answer.
    public func createWebhook(_ json: [String: JSONValue], by origin: ChangeOrigin) async throws -> WebhookResource {
        try await admin.resource(try await admin.create(from: json, by: origin))
    }

    /// Stores one of the relay's own audit events that records no change of its own: a sign-in,
    /// a refused sign-in, a sign-out.
    public func record(_ event: RelayAuditEvent) async throws {
        try await admin.store.record(event)
    }

    /// The latest attempts (`GET /v1/deliveries`), newest first: of one webhook (id or name), with
    /// one outcome, of one event type, when given.
    public func deliveries(webhook: String?, outcome: AttemptOutcome?, eventType: String?, limit: Int) async throws
        -> [AttemptResource]
    {
        try await admin.store.attempts(
            matching: Self.query(webhook: webhook, outcome: outcome, eventType: eventType, limit: limit)
        ).map(AttemptResource.init)
    }

    /// New attempts as Server-Sent Events (`GET /v1/deliveries/stream`), with the same filters
    /// as ``deliveries(webhook:outcome:eventType:limit:)``, from now on or, for a reconnecting
    /// client, after its `Last-Event-ID`; for as long as `isWanted` says yes. Each one's `data`
    /// is what `encode` makes of it.
    public func deliveryStream(
        webhook: String?, outcome: AttemptOutcome?, eventType: String?, lastEventID: String?,
        while isWanted: @escaping @Sendable () -> Bool, encode: @escaping @Sendable (AttemptResource) throws -> Data
    ) async throws -> Response {
        var stream = DeliveryStream(
            store: admin.store, query: Self.query(webhook: webhook, outcome: outcome, eventType: eventType, limit: 500))
        stream.isWanted = isWanted
        let latest = try await admin.store.latestAttemptID()
        return stream.response(after: lastEventID.flatMap(AttemptResource.number) ?? latest, encode: encode)
    }

    /// The cursor (`att_<n>`) of the newest attempt recorded so far: a page that lists attempts
    /// reads it first and streams from it, so nothing recorded meanwhile is missed.
    public func latestAttemptCursor() async throws -> String {
        "att_\(try await admin.store.latestAttemptID())"
    }

    private static func query(webhook: String?, outcome: AttemptOutcome?, eventType: String?, limit: Int)
        -> AttemptQuery
    {
        var query = AttemptQuery()
        query.webhook = webhook
        query.outcome = outcome
        query.eventType = eventType
        query.limit = limit
        return query
    }

    /// Queues a finished message again (`POST /v1/messages/{id}/retry`); throws the API's
    /// ``RelayProblem`` for an unknown id or one with an attempt in flight.
    public func retryMessage(id: String) async throws {
        try await admin.retry(messageID: id)
    }

    /// The webhook with `id` as the API shows it (`GET /v1/webhooks/{id}`); throws the API's `404`.
    public func webhook(id: String) async throws -> WebhookResource {
        try await admin.resource(try await admin.webhook(id: id))
    }

    /// Changes the webhook with `id` as a `PATCH /v1/webhooks/{id}` with the members `patch`
    /// returns would, atomically: `patch` is given the webhook as stored at that moment (its
    /// secrets unmasked) and may throw a ``RelayProblem`` to refuse. Throws the API's problems.
    public func updateWebhook(
        id: String, by origin: ChangeOrigin, _ patch: @escaping @Sendable (Webhook) throws -> [String: JSONValue]
    ) async throws -> WebhookResource {
        try await admin.resource(try await admin.update(id: id, by: origin, patch))
    }

    /// Sends a synthetic `auditrelay.test` event to a webhook now (`POST /v1/webhooks/{id}/test`).
    public func testWebhook(id: String) async throws -> WebhookTestResult {
        try await admin.test(id: id)
    }

    /// Resumes a paused or disabled webhook (`POST /v1/webhooks/{id}/resume`).
    public func resumeWebhook(id: String, by origin: ChangeOrigin) async throws -> WebhookResource {
        try await admin.resource(try await admin.resume(id: id, by: origin))
    }

    /// Deletes a webhook and its queue (`DELETE /v1/webhooks/{id}`); returns its name.
    @discardableResult
    public func deleteWebhook(id: String, by origin: ChangeOrigin) async throws -> String {
        try await admin.delete(id: id, by: origin).name
    }

    /// Sends Slack's `oauth.v2.access` exchange through the delivery transport (its trust roots,
    /// time-outs and egress rules; no redirects) and returns the answer (its first 64 KiB).
    public func exchange(_ request: OutboundRequest) async -> AttemptResponse {
        await admin.dispatcher.send(request, bodyLimit: 65_536)
    }

    /// Creates the Slack webhook an OAuth install gave: `#channel (team)` (` 2`, ` 3`, … when
    /// taken), receiving `events`, with its read-only `slack` metadata.
    public func installSlackWebhook(
        _ installed: SlackOAuth.Installed, events: [EventTypePattern], by origin: ChangeOrigin
    ) async throws -> WebhookResource {
        try await admin.resource(try await admin.installSlack(installed, events: events, by: origin))
    }

    /// The event-type catalogue (`GET /v1/event-types`).
    public func eventTypes() async throws -> [EventTypeResource] {
        try await admin.eventTypes()
    }
}

/// Routes another module adds to the relay's router (the settings page), with the admin
/// operations they may use.
public protocol RouteModule: Sendable {
    func register(on router: Router<RelayRequestContext>, admin: AdminOperations)
}
