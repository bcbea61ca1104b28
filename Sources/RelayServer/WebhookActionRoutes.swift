import Hummingbird
import Logging
import RelayCore
import RelayDelivery
import RelayStore

/// Secrets, authorization, test and resume: `/v1/webhooks/{id}/…`.
struct WebhookActionRoutes<Context: RequestContext>: Sendable {
    let admin: AdminContext

    func register(on router: Router<Context>) {
        router.admin(.post, "/v1/webhooks/:id/secrets", admin) { request, context in
            try await addSecret(request, context)
        }
        router.admin(.delete, "/v1/webhooks/:id/secrets/:index", admin) { _, context in
            let index = Int(try context.parameters.require("index"))
            return try await admin.modify(context) { webhook in
                guard let index, webhook.secrets.indices.contains(index) else {
                    throw ProblemResponse(.notFound, detail: "the webhook has no secret at that index (from 0)")
                }
                webhook.secrets.remove(at: index)
            }
        }
        router.admin(.put, "/v1/webhooks/:id/authorization", admin) { request, context in
            let json = try await JSONResponses.object(request)
            let unknown = json.keys.filter { $0 != "authorization" }.sorted()
            guard unknown.isEmpty, let value = json["authorization"]?.string else {
                let errors =
                    unknown.map { FieldError(field: $0, reason: "is not a field of this request") }
                    + (json["authorization"]?.string == nil
                        ? [FieldError(field: "authorization", reason: "is required and must be a string")] : [])
                throw RelayProblem.invalid(errors)
            }
            if let reason = HeaderRules.authorizationProblem(value) {
                throw RelayProblem.invalid([FieldError(field: "authorization", reason: reason)])
            }
            return try await admin.modify(context) { webhook in
                try Self.customOnly(webhook, field: "authorization")
                webhook.authorization = value
            }
        }
        router.admin(.delete, "/v1/webhooks/:id/authorization", admin) { _, context in
            try await admin.modify(context) { webhook in webhook.authorization = nil }
        }
        router.admin(.post, "/v1/webhooks/:id/test", admin) { _, context in
            let webhook = try await admin.webhook(context)
            return try JSONResponses.encode(await admin.dispatcher.test(webhook))
        }
        router.admin(.post, "/v1/webhooks/:id/resume", admin) { _, context in
            let id = try context.parameters.require("id")
            guard let webhook = try await admin.store.resumeWebhook(id: id, now: WallClock.nowMillis()) else {
                throw ProblemResponse.webhookNotFound(id)
            }
            context.logger.info("webhook resumed", metadata: ["relay.webhook": "\(webhook.name)"])
            return try await admin.view(webhook)
        }
    }

    /// Adds the body's `secret`, or a generated one when the body is empty; a generated secret is
    /// returned in full this once.
    private func addSecret(_ request: Request, _ context: Context) async throws -> Response {
        let json = try await JSONResponses.object(request, emptyIsObject: true)
        let unknown = json.keys.filter { $0 != "secret" }.sorted()
        guard unknown.isEmpty else {
            throw RelayProblem.invalid(unknown.map { FieldError(field: $0, reason: "is not a field of this request") })
        }
        let secret: String
        let generated: Bool
        switch json["secret"] {
        case nil, .null?:
            secret = WebhookSecrets.generate()
            generated = true
        case .string(let given)?:
            secret = given
            generated = false
        default:
            throw RelayProblem.invalid([FieldError(field: "secret", reason: "must be a string")])
        }
        let (_, index) = try await admin.modify(context) { webhook -> Int in
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
