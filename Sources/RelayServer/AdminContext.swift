import HTTPTypes
import Hummingbird
import RelayCore
import RelayDelivery
import RelayStore

/// What every admin route needs: the store, the admin tokens, the configuration and the
/// dispatcher (whose client sends `/test` events).
struct AdminContext: Sendable {
    let store: AuditStore
    let tokens: AccessTokens
    let configuration: RelayConfiguration
    /// Sends `/test` events through the lanes' client.
    let dispatcher: Dispatcher

    /// The webhook named by the `{id}` path parameter, or a `404`.
    func webhook(_ context: some RequestContext) async throws -> Webhook {
        let id = try context.parameters.require("id")
        guard let webhook = try await store.webhook(id: id) else {
            throw ProblemResponse.webhookNotFound(id)
        }
        return webhook
    }

    /// The webhook as the API shows it, with its health read now.
    func view(_ webhook: Webhook, status: HTTPResponse.Status = .ok) async throws -> Response {
        try JSONResponses.encode(try await resource(webhook), status: status)
    }

    /// `webhook` as the API shows it, with its health read now.
    func resource(_ webhook: Webhook) async throws -> WebhookResource {
        let health = try await store.webhookHealth(webhookID: webhook.id)[webhook.id] ?? .fresh
        return WebhookResource(webhook, health: WebhookHealthResource(health))
    }

    /// Every webhook as the API shows it.
    func resources() async throws -> [WebhookResource] {
        let health = try await store.webhookHealth()
        return try await store.webhooks().map {
            WebhookResource($0, health: WebhookHealthResource(health[$0.id] ?? .fresh))
        }
    }

    /// Queues a message again (`POST /v1/messages/{id}/retry`); an unknown id is a `404`, one with
    /// an attempt in flight a `409`.
    func retry(messageID id: String) async throws {
        switch try await store.retryMessage(id: id, now: WallClock.nowMillis()) {
        case .queued: break
        case .notFound: throw RelayProblem(status: 404, title: "Not Found", detail: "no message has the id \(id)")
        case .inFlight:
            throw RelayProblem(
                status: 409, title: "Conflict",
                detail: "an attempt of \(id) is in progress; ask again once it has finished")
        }
    }

    /// Creates the webhook a create request describes (``WebhookInput``'s rules); a bad member
    /// or a taken name is a `422` naming it, and nothing is stored.
    func create(from json: [String: JSONValue]) async throws -> Webhook {
        let spec = try WebhookInput.create(from: json)
        let now = WallClock.nowMillis()
        let webhook = spec.makeWebhookForAPI(id: Identifier.make(prefix: "wh_", millis: now), now: now)
        try await create(webhook)
        return webhook
    }

    /// Creates `webhook`, turning a taken name into a `422` on `name`.
    func create(_ webhook: Webhook) async throws {
        do {
            try await store.createWebhook(webhook)
        } catch StoreError.nameTaken(let name) {
            throw Self.nameTaken(name)
        }
    }

    /// Changes the webhook named by `{id}` atomically and answers its new view.
    func modify(
        _ context: some RequestContext, _ change: @escaping @Sendable (inout Webhook) throws -> Void
    ) async throws -> Response {
        try await view(try await modify(context, returning: change).webhook)
    }

    /// Changes the webhook named by `{id}` atomically (stamping `updatedAt`) and returns it with
    /// what `change` returned; an unknown id is a `404`, a taken name a `422` on `name`.
    func modify<T: Sendable>(
        _ context: some RequestContext, returning change: @escaping @Sendable (inout Webhook) throws -> T
    ) async throws -> (webhook: Webhook, result: T) {
        let id = try context.parameters.require("id")
        do {
            return try await store.modifyWebhook(id: id) { webhook in
                let result = try change(&webhook)
                webhook.updatedAt = WallClock.nowMillis()
                return result
            }
        } catch StoreError.nameTaken(let name) {
            throw Self.nameTaken(name)
        } catch StoreError.webhookNotFound(let id) {
            throw ProblemResponse.webhookNotFound(id)
        }
    }

    private static func nameTaken(_ name: String) -> RelayProblem {
        .invalid([FieldError(field: "name", reason: "another webhook is already named '\(name)'")])
    }
}

extension Router {
    /// Registers an admin route: the handler runs only with a valid admin token.
    func admin(
        _ method: HTTPRequest.Method, _ path: RouterPath, _ admin: AdminContext,
        _ handler: @escaping @Sendable (Request, Context) async throws -> Response
    ) {
        on(path, method: method) { request, context in
            try admin.tokens.authorize(request)
            return try await handler(request, context)
        }
    }
}
