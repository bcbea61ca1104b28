import Hummingbird
import Logging
import RelayCore
import RelayStore

/// `GET|POST /v1/webhooks`, `GET|PATCH|DELETE /v1/webhooks/{id}`.
struct WebhookRoutes: Sendable {
    let admin: AdminContext

    func register(on router: Router<RelayRequestContext>) {
        router.admin(.get, "/v1/webhooks", admin) { _, _, _ in
            try JSONResponses.encode(WebhookList(webhooks: try await admin.resources()))
        }
        router.admin(.post, "/v1/webhooks", admin) { request, _, origin in
            try await admin.view(
                try await admin.create(from: try await JSONResponses.object(request), by: origin), status: .created)
        }
        router.admin(.get, "/v1/webhooks/:id", admin) { _, context, _ in
            try await admin.view(try await admin.webhook(context))
        }
        router.admin(.patch, "/v1/webhooks/:id", admin) { request, context, origin in
            let json = try await JSONResponses.object(request)
            return try await admin.view(
                try await admin.update(id: try context.parameters.require("id"), by: origin) { _ in json })
        }
        router.admin(.delete, "/v1/webhooks/:id", admin) { _, context, origin in
            try await admin.delete(id: try context.parameters.require("id"), by: origin)
            return JSONResponses.noContent()
        }
    }
}
