import RelayCore

/// Bearer tokens for webhooks with OAuth 2.0 client credentials: fetched on first use, cached
/// per webhook and credentials, replaced a little before they expire, and replaced at once when
/// the destination answers `401` to one. Concurrent attempts share one fetch.
actor OAuthTokens {
    private struct Key: Hashable {
        var webhookID: String
        /// A digest of the credentials, so changed credentials never reuse an old token.
        var credentials: String
    }

    private var cache: [Key: AccessToken] = [:]
    private var fetches: [Key: Task<Result<AccessToken, TokenFailure>, Never>] = [:]

    /// A token for `webhook`, fetched through `transport` when there is none or it is stale or
    /// is `rejected` (the one the destination just refused).
    func token(
        for webhook: Webhook, credentials: OAuth2ClientCredentials, rejecting rejected: String? = nil,
        transport: HTTPTransport
    ) async -> Result<String, TokenFailure> {
        let key = Key(webhookID: webhook.id, credentials: credentials.fingerprint)
        let now = WallClock.nowMillis()
        if let cached = cache[key], !cached.isStale(at: now), cached.value != rejected {
            return .success(cached.value)
        }
        let fetch: Task<Result<AccessToken, TokenFailure>, Never>
        if let running = fetches[key] {
            fetch = running
        } else {
            fetch = Task {
                await Self.fetch(credentials, transport: transport, allowPrivateNetwork: webhook.allowPrivateNetwork)
            }
            fetches[key] = fetch
        }
        let result = await fetch.value
        // Only the first waiter to resume caches the result: a later one could otherwise put back
        // a token that a newer fetch (after a `401`) has already replaced.
        if fetches[key] == fetch {
            fetches[key] = nil
            if case .success(let token) = result { cache[key] = token }
        }
        return result.map(\.value)
    }

    private static func fetch(
        _ credentials: OAuth2ClientCredentials, transport: HTTPTransport, allowPrivateNetwork: Bool
    ) async -> Result<AccessToken, TokenFailure> {
        if let reason = DestinationURL.problem(credentials.tokenURL) {
            return .failure(.refused("the token URL is refused: \(reason)"))
        }
        let reply = await transport.send(
            credentials.tokenRequest(), allowPrivateNetwork: allowPrivateNetwork, bodyLimit: 65_536)
        switch reply.response {
        case .http(let status, _, let body):
            return AccessToken.parse(status: status, body: body, now: WallClock.nowMillis())
        case .transportFailure(let failure):
            return .failure(.retry("fetching a token failed: \(failure.message)"))
        }
    }
}
