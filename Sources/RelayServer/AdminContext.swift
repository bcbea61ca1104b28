import HTTPTypes
import Hummingbird
import Logging
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
    /// Records the changes operators make (enabled, disabled, resumed).
    let logger: Logger

    /// The webhook named by the `{id}` path parameter, or a `404`.
    func webhook(_ context: some RequestContext) async throws -> Webhook {
        try await webhook(id: try context.parameters.require("id"))
    }

    /// The webhook with `id`, or a `404`.
    func webhook(id: String) async throws -> Webhook {
        guard let webhook = try await store.webhook(id: id) else { throw RelayProblem.webhookNotFound(id) }
        return webhook
    }

    /// Applies the members of a PATCH request (``WebhookInput/update(_:with:)``) to the webhook
    /// with `id` atomically; `patch` builds them from the webhook as stored at that moment.
    func update(
        id: String, by origin: ChangeOrigin, _ patch: @escaping @Sendable (Webhook) throws -> [String: JSONValue]
    ) async throws -> Webhook {
        let (webhook, switching) = try await modify(id: id, recording: .webhookUpdated, by: origin) {
            webhook -> Bool? in
            let json = try patch(webhook)
            let switching: Bool? = if case .bool(let enabled) = json["enabled"] { enabled } else { nil }
            webhook = try WebhookInput.update(webhook, with: json).patched(onto: webhook, switching: switching)
            return switching
        }
        if let switching {
            logger.info(
                switching ? "webhook enabled" : "webhook disabled", metadata: ["relay.webhook": "\(webhook.name)"])
        }
        return webhook
    }

    /// Sends a synthetic `auditrelay.test` event to the webhook with `id` now (§8 `/test`).
    func test(id: String) async throws -> WebhookTestResult {
        await dispatcher.test(try await webhook(id: id))
    }

    /// Resumes the paused or disabled webhook with `id`, or a `404`.
    func resume(id: String, by origin: ChangeOrigin) async throws -> Webhook {
        let resumed = try await store.resumeWebhook(id: id, now: WallClock.nowMillis()) { before, after in
            RelayAuditEvent.resumption(of: after, from: before.state, by: origin)
        }
        guard let webhook = resumed else { throw RelayProblem.webhookNotFound(id) }
        logger.info("webhook resumed", metadata: ["relay.webhook": "\(webhook.name)"])
        return webhook
    }

    /// Deletes the webhook with `id` and its queue, or a `404`; returns it as it was.
    @discardableResult
    func delete(id: String, by origin: ChangeOrigin) async throws -> Webhook {
        let deleted = try await store.deleteWebhook(id: id) { webhook in
            RelayAuditEvent(.webhookDeleted, by: origin, target: .webhook(webhook))
        }
        guard let deleted else { throw RelayProblem.webhookNotFound(id) }
        return deleted
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

    /// The event-type catalogue: the relay's own types (SPEC §13) and the declared ones with their
    /// descriptions, and every type seen, by name.
    func eventTypes() async throws -> [EventTypeResource] {
        let seen = try await store.seenEventTypes()
        var entries: [String: EventTypeResource] = [:]
        for declared in RelayEventType.allCases.map(\.catalogEntry) + configuration.eventTypes {
            entries[declared.name] = EventTypeResource(
                name: declared.name, description: declared.description, firstSeenAt: nil)
        }
        for type in seen {
            entries[type.name, default: EventTypeResource(name: type.name, description: nil, firstSeenAt: nil)]
                .firstSeenAt = RFC3339.format(millis: type.firstSeenAt)
        }
        return entries.values.sorted { $0.name < $1.name }
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
    func create(from json: [String: JSONValue], by origin: ChangeOrigin) async throws -> Webhook {
        let webhook = try Self.webhook(from: json)
        do {
            try await store.createWebhook(
                webhook, recording: RelayAuditEvent(.webhookCreated, by: origin, target: .webhook(webhook)))
        } catch StoreError.nameTaken(let name) {
            throw Self.nameTaken(name)
        }
        return webhook
    }

    /// Creates the Slack webhook an OAuth install gave (SPEC §11): named `#channel (team)`, or
    /// with ` 2`, ` 3`, … when that is taken, receiving `events`, with the install's metadata.
    /// The URL goes through the same rules as a create request's. With no `events` (an empty
    /// `slack.defaultEvents`) it is created disabled, subscribed to `*`, until someone chooses.
    func installSlack(_ installed: SlackOAuth.Installed, events: [EventTypePattern], by origin: ChangeOrigin)
        async throws -> Webhook
    {
        for attempt in 1...100 {
            var webhook = try Self.webhook(from: [
                "kind": .string(WebhookKind.slack.rawValue), "url": .string(installed.url),
                "name": .string(installed.installation.webhookName(attempt: attempt)),
                "events": .array((events.isEmpty ? [.everything] : events).map { .string($0.description) }),
                "enabled": .bool(!events.isEmpty),
            ])
            webhook.slack = installed.installation
            if events.isEmpty { webhook.stateReason = Self.awaitingEventsReason }
            do {
                try await store.createWebhook(
                    webhook, recording: RelayAuditEvent(.slackInstalled, by: origin, target: .webhook(webhook)))
                return webhook
            } catch StoreError.nameTaken {
                continue
            }
        }
        throw Self.nameTaken(installed.installation.webhookName())
    }

    /// Why a Slack webhook installed without `slack.defaultEvents` is disabled.
    static let awaitingEventsReason = "installed without slack.defaultEvents: choose its events, then resume it"

    private static func webhook(from json: [String: JSONValue]) throws -> Webhook {
        let spec = try WebhookInput.create(from: json)
        let now = WallClock.nowMillis()
        return spec.makeWebhookForAPI(id: Identifier.make(prefix: "wh_", millis: now), now: now)
    }

    /// Changes the webhook named by `{id}` atomically, recording the change as a `type` event, and
    /// answers its new view.
    func modify(
        _ context: some RequestContext, recording type: RelayEventType, by origin: ChangeOrigin,
        _ change: @escaping @Sendable (inout Webhook) throws -> Void
    ) async throws -> Response {
        try await view(
            try await modify(id: try context.parameters.require("id"), recording: type, by: origin, change).webhook)
    }

    /// Changes the webhook with `id` atomically (stamping `updatedAt`) and returns it with what
    /// `change` returned; the change is recorded as a `type` event naming the fields that changed
    /// (none when nothing did), in the same transaction. An unknown id is a `404`, a taken name a
    /// `422` on `name`.
    func modify<T: Sendable>(
        id: String, recording type: RelayEventType, by origin: ChangeOrigin,
        _ change: @escaping @Sendable (inout Webhook) throws -> T
    ) async throws -> (webhook: Webhook, result: T) {
        let recording: @Sendable (Webhook, Webhook) -> RelayAuditEvent? = { before, after in
            let fields = after.changedFields(since: before)
            return fields.isEmpty ? nil : RelayAuditEvent(type, by: origin, target: .webhook(after), changes: fields)
        }
        do {
            return try await store.modifyWebhook(id: id, recording: recording) { webhook in
                let result = try change(&webhook)
                webhook.updatedAt = WallClock.nowMillis()
                return result
            }
        } catch StoreError.nameTaken(let name) {
            throw Self.nameTaken(name)
        } catch StoreError.webhookNotFound(let id) {
            throw RelayProblem.webhookNotFound(id)
        }
    }

    private static func nameTaken(_ name: String) -> RelayProblem {
        .invalid([FieldError(field: "name", reason: "another webhook is already named '\(name)'")])
    }
}

extension Router where Context == RelayRequestContext {
    /// Registers an admin route: the handler runs only with a valid admin token, and is given who
    /// is asking (the token's fingerprint and the client's address) for the audit events of the
    /// changes it makes.
    func admin(
        _ method: HTTPRequest.Method, _ path: RouterPath, _ admin: AdminContext,
        _ handler: @escaping @Sendable (Request, Context, ChangeOrigin) async throws -> Response
    ) {
        on(path, method: method) { request, context in
            let fingerprint = try admin.tokens.authorize(request)
            let origin = ChangeOrigin(actor: .token(fingerprint: fingerprint), clientAddress: context.clientAddress)
            return try await handler(request, context, origin)
        }
    }
}
