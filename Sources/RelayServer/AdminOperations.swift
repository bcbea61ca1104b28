import Hummingbird
import RelayCore
import RelayDelivery
import RelayStore

/// The admin API's operations for the relay's other front ends (the settings page): the same
/// rules and store calls the `/v1` routes use, without HTTP in between, so the page validates
/// nothing the API does not validate the same way.
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
    public func createWebhook(_ json: [String: JSONValue]) async throws -> WebhookResource {
        try await admin.resource(try await admin.create(from: json))
    }

    /// The latest attempts (`GET /v1/deliveries`), newest first: of one webhook (id or name), with
    /// one outcome, of one event type, when given.
    public func deliveries(webhook: String?, outcome: AttemptOutcome?, eventType: String?, limit: Int) async throws
        -> [AttemptResource]
    {
        var query = AttemptQuery()
        query.webhook = webhook
        query.outcome = outcome
        query.eventType = eventType
        query.limit = limit
        return try await admin.store.attempts(matching: query).map(AttemptResource.init)
    }

    /// Queues a finished message again (`POST /v1/messages/{id}/retry`); throws the API's
    /// ``RelayProblem`` for an unknown id or one with an attempt in flight.
    public func retryMessage(id: String) async throws {
        try await admin.retry(messageID: id)
    }

    /// Sends a synthetic `auditrelay.test` event to a webhook now (`POST /v1/webhooks/{id}/test`);
    /// `nil` when there is no such webhook.
    public func testWebhook(id: String) async throws -> WebhookTestResult? {
        guard let webhook = try await admin.store.webhook(id: id) else { return nil }
        return await admin.dispatcher.test(webhook)
    }

    /// Resumes a paused or disabled webhook (`POST /v1/webhooks/{id}/resume`); `nil` when there is
    /// no such webhook.
    public func resumeWebhook(id: String) async throws -> WebhookResource? {
        guard let webhook = try await admin.store.resumeWebhook(id: id, now: WallClock.nowMillis()) else { return nil }
        return try await admin.resource(webhook)
    }

    /// Deletes a webhook and its queue (`DELETE /v1/webhooks/{id}`); `false` when there is none.
    public func deleteWebhook(id: String) async throws -> Bool {
        try await admin.store.deleteWebhook(id: id)
    }
}

/// Routes another module adds to the relay's router (the settings page), with the admin
/// operations they may use.
public protocol RouteModule: Sendable {
    func register(on router: Router<RelayRequestContext>, admin: AdminOperations)
}
