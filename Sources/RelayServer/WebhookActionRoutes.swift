import Hummingbird
import Logging
import RelayCore
import RelayDelivery
import RelayStore

/// Secrets, authorization, test and resume: `/v1/webhooks/{id}/…`.
struct WebhookActionRoutes: Sendable {
    let admin: AdminContext

    func register(on router: Router<RelayRequestContext>) {
        router.admin(.post, "/v1/webhooks/:id/secrets", admin) { request, context, origin in
            try await addSecret(request, context, by: origin)
        }
        router.admin(.delete, "/v1/webhooks/:id/secrets/:index", admin) { _, context, origin in
            let index = Int(try context.parameters.require("index"))
            return try await admin.modify(context, recording: .secretRemoved, by: origin) { webhook in
                guard let index, webhook.secrets.indices.contains(index) else {
                    throw ProblemResponse(.notFound, detail: "the webhook has no secret at that index (from 0)")
                }
                webhook.secrets.remove(at: index)
            }
        }
        router.admin(.put, "/v1/webhooks/:id/authorization", admin) { request, context, origin in
            let set = try AuthorizationRequest(json: try await JSONResponses.object(request))
            return try await admin.modify(context, recording: .authorizationSet, by: origin) { webhook in
                try Self.customOnly(webhook, field: "authorization")
                webhook.authorization = set.authorization
            }
        }
        router.admin(.delete, "/v1/webhooks/:id/authorization", admin) { _, context, origin in
            try await admin.modify(context, recording: .authorizationCleared, by: origin) { webhook in
                webhook.authorization = nil
            }
        }
        router.admin(.post, "/v1/webhooks/:id/test", admin) { _, context, _ in
            try JSONResponses.encode(try await admin.test(id: try context.parameters.require("id")))
        }
        router.admin(.post, "/v1/webhooks/:id/resume", admin) { _, context, origin in
            try await admin.view(try await admin.resume(id: try context.parameters.require("id"), by: origin))
        }
    }

    /// Adds the body's `secret`, or a generated one when the body is empty; a generated secret is
    /// returned in full this once.
    private func addSecret(_ request: Request, _ context: RelayRequestContext, by origin: ChangeOrigin) async throws
        -> Response
    {
        let asked = try SecretRequest(json: try await JSONResponses.object(request, emptyIsObject: true))
        let secret = asked.secret ?? WebhookSecrets.generate()
        let generated = asked.secret == nil
        let id = try context.parameters.require("id")
        let (_, index) = try await admin.modify(id: id, recording: .secretAdded, by: origin) { webhook -> Int in
            try Self.customOnly(webhook, field: "secrets")
            webhook.secrets.append(secret)
            let problems = WebhookSecrets.problems(webhook.secrets).map { problem in
                problem.field == "secrets" ? problem : FieldError(field: "secret", reason: problem.reason)
            }
            guard problems.isEmpty else { throw RelayProblem.invalid(problems) }
            return webhook.secrets.count - 1
        }
        return try JSONResponses.encode(
            SecretAdded(index: index, secret: generated ? secret : WebhookSecrets.mask(secret)), status: .created)
    }

    private static func customOnly(_ webhook: Webhook, field: String) throws {
        guard webhook.kind == .custom else {
            throw RelayProblem.invalid([FieldError(field: field, reason: "applies to custom webhooks only")])
        }
    }
}
