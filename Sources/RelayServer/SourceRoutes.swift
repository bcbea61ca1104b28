import Hummingbird
import RelayCore

/// `GET|POST /v1/sources`, `GET|PATCH|DELETE /v1/sources/{id}`, `POST /v1/sources/{id}/secret/rotate`
/// and `/secret/reveal` (SPEC §12).
struct SourceRoutes<Context: RequestContext>: Sendable {
    let admin: AdminContext

    func register(on router: Router<Context>) {
        router.admin(.get, "/v1/sources", admin) { _, _ in
            try JSONResponses.encode(SourceList(sources: try await admin.sourceResources()))
        }
        router.admin(.post, "/v1/sources", admin) { request, _ in
            try JSONResponses.encode(
                try await admin.createSource(from: try await JSONResponses.object(request)), status: .created)
        }
        router.admin(.get, "/v1/sources/:id", admin) { _, context in
            try JSONResponses.encode(
                admin.sourceResource(try await admin.source(id: try context.parameters.require("id"))))
        }
        router.admin(.patch, "/v1/sources/:id", admin) { request, context in
            try JSONResponses.encode(
                try await admin.updateSource(
                    id: try context.parameters.require("id"), json: try await JSONResponses.object(request)))
        }
        router.admin(.delete, "/v1/sources/:id", admin) { _, context in
            try await admin.deleteSource(id: try context.parameters.require("id"))
            return JSONResponses.noContent()
        }
        router.admin(.post, "/v1/sources/:id/secret/rotate", admin) { request, context in
            try JSONResponses.encode(
                try await admin.rotateSource(
                    id: try context.parameters.require("id"),
                    json: try await JSONResponses.object(request, emptyIsObject: true)))
        }
        router.admin(.post, "/v1/sources/:id/secret/reveal", admin) { _, context in
            try JSONResponses.encode(try await admin.revealSource(id: try context.parameters.require("id")))
        }
    }
}
