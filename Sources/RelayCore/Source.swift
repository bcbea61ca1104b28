/// An inbound source (SPEC §12): one sender the relay takes signed webhooks from — a GitHub
/// organization, a Bitbucket workspace, a Jira site, a GitLab group — with its secret token's
/// status and the requests it refused.
public struct Source: Sendable, Equatable {
    public var id: String
    /// Unique among sources; the `source` member of the events it sends.
    public var name: String
    public var provider: InboundProvider
    /// The secret token(s) and their status.
    public var secrets: SourceSecrets
    /// Requests refused for a missing or wrong signature.
    public var rejected: Int
    /// Unix milliseconds of the last refusal.
    public var lastRejectedAt: Int64?
    /// Unix milliseconds.
    public var createdAt: Int64
    /// Unix milliseconds.
    public var updatedAt: Int64

    /// A new source with its first secret, ``SourceSecrets/Status/pending``.
    public init(
        id: String = Identifier.make(prefix: "src_"), name: String, provider: InboundProvider, secret: String,
        now: Int64
    ) {
        self.id = id
        self.name = name
        self.provider = provider
        self.secrets = SourceSecrets(secret: secret, now: now)
        self.rejected = 0
        self.lastRejectedAt = nil
        self.createdAt = now
        self.updatedAt = now
    }
}
