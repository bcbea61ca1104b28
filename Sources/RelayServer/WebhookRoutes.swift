import Hummingbird
import Logging
import RelayCore
import RelayStore

/// `GET|POST /v1/webhooks`, `GET|PATCH|DELETE /v1/webhooks/{id}`.
struct WebhookRoutes<Context: RequestContext>: Sendable {
    let admin: AdminContext

    func register(on router: Router<Context>) {
        router.admin(.get, "/v1/webhooks", admin) { _, _ in
            try JSONResponses.encode(WebhookList(webhooks: try await admin.resources()))
        }
        router.admin(.post, "/v1/webhooks", admin) { request, _ in
            try await admin.view(
                try await admin.create(from: try await JSONResponses.object(request)), status: .created)
        }
        router.admin(.get, "/v1/webhooks/:id", admin) { _, context in
            try await admin.view(try await admin.webhook(context))
        }
        router.admin(.patch, "/v1/webhooks/:id", admin) { request, context in
            let json = try await JSONResponses.object(request)
            return try await admin.view(try await admin.update(id: try context.parameters.require("id")) { _ in json })
        }
        router.admin(.delete, "/v1/webhooks/:id", admin) { _, context in
            try await admin.delete(id: try context.parameters.require("id"))
            return JSONResponses.noContent()
        }
    }
}
