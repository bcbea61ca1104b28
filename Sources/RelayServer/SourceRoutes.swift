import Hummingbird
import RelayCore

/// `GET|POST /v1/sources`, `GET|PATCH|DELETE /v1/sources/{id}`, `POST /v1/sources/{id}/secret/rotate`
/// and `/secret/reveal` (SPEC §12).
struct SourceRoutes: Sendable {
    let admin: AdminContext

    func register(on router: Router<RelayRequestContext>) {
        router.admin(.get, "/v1/sources", admin) { _, _, _ in
            try JSONResponses.encode(SourceList(sources: try await admin.sourceResources()))
        }
        router.admin(.post, "/v1/sources", admin) { request, _, origin in
            try JSONResponses.encode(
                try await admin.createSource(from: try await JSONResponses.object(request), by: origin),
                status: .created)
        }
        router.admin(.get, "/v1/sources/:id", admin) { _, context, _ in
            try JSONResponses.encode(
                admin.sourceResource(try await admin.source(id: try context.parameters.require("id"))))
        }
        router.admin(.patch, "/v1/sources/:id", admin) { request, context, origin in
            try JSONResponses.encode(
                try await admin.updateSource(
                    id: try context.parameters.require("id"), json: try await JSONResponses.object(request), by: origin)
            )
        }
        router.admin(.delete, "/v1/sources/:id", admin) { _, context, origin in
            try await admin.deleteSource(id: try context.parameters.require("id"), by: origin)
            return JSONResponses.noContent()
        }
        router.admin(.post, "/v1/sources/:id/secret/rotate", admin) { request, context, origin in
            try JSONResponses.encode(
                try await admin.rotateSource(
                    id: try context.parameters.require("id"),
                    json: try await JSONResponses.object(request, emptyIsObject: true), by: origin))
        }
        router.admin(.post, "/v1/sources/:id/secret/reveal", admin) { _, context, origin in
            try JSONResponses.encode(
                SourceSecret(
                    secret: try await admin.revealSource(id: try context.parameters.require("id"), by: origin)
                        .secrets.current))
        }
    }
}
