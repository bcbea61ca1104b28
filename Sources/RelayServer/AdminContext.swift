import Hummingbird
import RelayCore
import RelayStore

/// What every admin route needs: the store, the admin tokens and the configuration.
struct AdminContext: Sendable {
    let store: AuditStore
    let tokens: AccessTokens
    let configuration: RelayConfiguration

    /// The webhook named by the `{id}` path parameter, or a `404`.
    func webhook(_ context: some RequestContext) async throws -> Webhook {
        let id = try context.parameters.require("id")
        guard let webhook = try await store.webhook(id: id) else {
            throw ProblemResponse(.notFound, detail: "no webhook has the id \(id)")
        }
        return webhook
    }

    /// Stores `webhook` as changed, turning a taken name into a `422` on `name`.
    func save(_ webhook: Webhook, isNew: Bool) async throws {
        do {
            if isNew {
                try await store.createWebhook(webhook)
            } else {
                try await store.updateWebhook(webhook)
            }
        } catch StoreError.nameTaken(let name) {
            throw RelayProblem.invalid([FieldError(field: "name", reason: "another webhook is already named '\(name)'")]
            )
        } catch StoreError.webhookNotFound(let id) {
            throw ProblemResponse(.notFound, detail: "no webhook has the id \(id)")
        }
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
