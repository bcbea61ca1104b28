/// Who sends an inbound source's webhooks (SPEC §12), which decides how a request is verified.
public enum InboundProvider: String, Sendable, Codable, CaseIterable {
    case github, bitbucket, jira, gitlab, standard

    /// The headers (lower case) that may carry a request's signature: one must be present.
    public var signatureHeaders: [String] {
        switch self {
        case .github: ["x-hub-signature-256"]
        case .bitbucket, .jira: ["x-hub-signature"]
        case .gitlab: ["webhook-signature", "x-gitlab-token"]
        case .standard: ["webhook-signature"]
        }
    }
}

extension SignatureVerifier {
    /// The methods Jira's `X-Hub-Signature: <method>=<hex>` may name; any other is refused.
    public static let jiraMethods: Set<String> = ["sha256", "sha384", "sha512"]

    /// Verifies an inbound request from `provider` over its raw body, as SPEC §12's table says:
    /// GitHub's `X-Hub-Signature-256`, Bitbucket's `X-Hub-Signature` (`sha256=`), Jira's
    /// `X-Hub-Signature` (`sha256`, `sha384` or `sha512`), GitLab's Standard Webhooks signature when
    /// present else its `X-Gitlab-Token`, and Standard Webhooks. Comparisons take constant time.
    /// `headers` may be named in any case; `now` is in seconds.
    public static func verifyInbound(
        _ provider: InboundProvider, headers: HeaderFields, body: [UInt8], secrets: [String], now: Int64,
        toleranceSeconds: Int64 = defaultToleranceSeconds
    ) -> Result {
        let standardWebhooks = {
            guard let value = headers["webhook-signature"] else {
                return Result(scheme: "webhook-signature", failure: "no webhook-signature header")
            }
            return standard(
                value, headers: headers, body: body, secrets: secrets, now: now, tolerance: toleranceSeconds)
        }
        switch provider {
        case .github:
            guard let value = headers["x-hub-signature-256"] else {
                return Result(scheme: "X-Hub-Signature-256", failure: "no X-Hub-Signature-256 header")
            }
            return hub("X-Hub-Signature-256", value, methods: ["sha256"], body: body, secrets: secrets)
        case .bitbucket, .jira:
            guard let value = headers["x-hub-signature"] else {
                return Result(scheme: "X-Hub-Signature", failure: "no X-Hub-Signature header")
            }
            let methods = provider == .jira ? jiraMethods : ["sha256"]
            return hub("X-Hub-Signature", value, methods: methods, body: body, secrets: secrets)
        case .gitlab:
            if headers["webhook-signature"] != nil { return standardWebhooks() }
            guard let token = headers["x-gitlab-token"] else {
                return Result(scheme: "X-Gitlab-Token", failure: "neither webhook-signature nor X-Gitlab-Token")
            }
            let index = secrets.firstIndex { ConstantTime.equal($0.utf8, token.utf8) }
            return Result(
                scheme: "X-Gitlab-Token", matchedSecret: index,
                failure: index == nil ? "the token matches no secret" : nil)
        case .standard:
            return standardWebhooks()
        }
    }
}
