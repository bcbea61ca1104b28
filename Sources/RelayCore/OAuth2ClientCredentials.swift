import Crypto
import Foundation

/// OAuth 2.0 client-credentials authentication for a custom webhook (RFC 6749 §4.4), as the
/// Azure Monitor Logs Ingestion API behind Microsoft Sentinel needs: the relay fetches a bearer
/// token from `tokenUrl`, caches it, refreshes it before it expires and once more on a `401`.
///
/// ```yaml
/// auth:
///   type: oauth2-client-credentials
///   tokenUrl: https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token
///   clientId: 00000000-0000-0000-0000-000000000000
///   clientSecret: "…"
///   scope: https://monitor.azure.com//.default
/// ```
public struct OAuth2ClientCredentials: Sendable, Equatable, Codable {
    /// The only `auth.type` there is.
    public static let type = "oauth2-client-credentials"

    public var tokenURL: String
    public var clientID: String
    /// Sealed at rest like the signing secrets; reads show only its first 3 characters.
    public var clientSecret: String
    public var scope: String?

    public init(tokenURL: String, clientID: String, clientSecret: String, scope: String? = nil) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scope = scope
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case type, tokenURL = "tokenUrl", clientID = "clientId", clientSecret, scope
    }

    public init(from decoder: any Decoder) throws {
        try StrictKeys.refuseUnknown(in: decoder, known: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        guard type == Self.type else {
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container, debugDescription: "must be \(Self.type)")
        }
        tokenURL = try container.decode(String.self, forKey: .tokenURL)
        clientID = try container.decode(String.self, forKey: .clientID)
        clientSecret = try container.decode(String.self, forKey: .clientSecret)
        scope = try container.decodeIfPresent(String.self, forKey: .scope)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.type, forKey: .type)
        try container.encode(tokenURL, forKey: .tokenURL)
        try container.encode(clientID, forKey: .clientID)
        try container.encode(clientSecret, forKey: .clientSecret)
        try container.encodeIfPresent(scope, forKey: .scope)
    }

    /// Every field that breaks a rule, named `auth.<field>`.
    func problems() -> [FieldError] {
        var errors: [FieldError] = []
        if let reason = DestinationURL.problem(tokenURL) {
            errors.append(FieldError(field: "auth.tokenUrl", reason: reason))
        }
        let values: [(String, String?)] = [("clientId", clientID), ("clientSecret", clientSecret), ("scope", scope)]
        for (name, value) in values {
            guard let value else { continue }
            if value.isEmpty || value.count > 1024 || value.unicodeScalars.contains(where: { $0.value < 0x20 }) {
                errors.append(FieldError(field: "auth.\(name)", reason: "must be 1 to 1024 characters, no controls"))
            }
        }
        return errors
    }

    /// A digest of every field, so a cache can tell changed credentials apart without keeping
    /// the secret as a key.
    public var fingerprint: String {
        let joined = [tokenURL, clientID, clientSecret, scope ?? ""].joined(separator: "\u{0}")
        return Hex.encode(SHA256.hash(data: Data(joined.utf8)))
    }

    /// The token request (`POST tokenUrl`, form-encoded, client secret in the body).
    public func tokenRequest() -> OutboundRequest {
        var fields = [("grant_type", "client_credentials"), ("client_id", clientID), ("client_secret", clientSecret)]
        if let scope { fields.append(("scope", scope)) }
        let body = fields.map { "\($0.0)=\(Self.formEncoded($0.1))" }.joined(separator: "&")
        return OutboundRequest(
            url: tokenURL,
            headers: [
                ("User-Agent", "AuditRelay/\(RelayVersion.current)"),
                ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"),
            ],
            body: Array(body.utf8))
    }

    /// `application/x-www-form-urlencoded` value encoding (WHATWG URL §5.2).
    static func formEncoded(_ value: String) -> String {
        let unreserved = CharacterSet(
            charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-._ ")
        let encoded = value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
        return encoded.replacingOccurrences(of: " ", with: "+")
    }
}

/// A bearer token from a token endpoint, and when to fetch the next one.
public struct AccessToken: Sendable, Equatable {
    /// The `access_token` value; never logged or recorded.
    public var value: String
    /// Unix milliseconds after which the token is not used.
    public var refreshAt: Int64

    public init(value: String, refreshAt: Int64) {
        self.value = value
        self.refreshAt = refreshAt
    }

    /// Whether the token should be replaced before use at `now`.
    public func isStale(at now: Int64) -> Bool { now >= refreshAt }

    /// Reads a token endpoint's answer (RFC 6749 §5.1, §5.2).
    ///
    /// A token is refreshed a fifth of its lifetime before it expires, at most 5 minutes early.
    /// A refusal (`invalid_client`, `unauthorized_client`, `invalid_scope`, …, or any other 4xx)
    /// pauses the webhook: new attempts cannot succeed until an operator fixes the credentials.
    /// A 5xx, 408 or 429 is retried like a failed delivery.
    public static func parse(status: Int, body: [UInt8], now: Int64) -> Result<AccessToken, TokenFailure> {
        // Field by field, so one odd member (Azure AD v1 sends `expires_in` as a string) does not
        // lose the others.
        let answer = (try? JSONDecoder().decode([String: JSONValue].self, from: Data(body))) ?? [:]
        switch status {
        case 200..<300:
            guard let token = answer["access_token"]?.string, !token.isEmpty,
                answer["token_type"]?.string.map({ $0.caseInsensitiveCompare("bearer") == .orderedSame }) ?? true
            else {
                return .failure(.retry("the token endpoint's answer has no bearer access_token"))
            }
            let seconds: Double
            switch answer["expires_in"] {
            case .number(let value): seconds = value
            case .string(let text): seconds = Double(text) ?? 3600
            default: seconds = 3600
            }
            // At least a second, at most a day: a nonsense lifetime neither traps nor hammers.
            let lifetime = Int64(min(max(seconds.isFinite ? seconds : 3600, 1), 86_400) * 1000)
            return .success(AccessToken(value: token, refreshAt: now + lifetime - min(300_000, lifetime / 5)))
        case 408, 425, 429, 500..<600:
            return .failure(.retry("the token endpoint answered HTTP \(status)"))
        default:
            let code = answer["error"]?.string.map { ": \($0.prefix(100))" } ?? ""
            return .failure(.refused("the token endpoint refused the client credentials (HTTP \(status)\(code))"))
        }
    }
}

/// Why no token could be had.
public enum TokenFailure: Error, Sendable, Equatable {
    /// Try the message again later.
    case retry(String)
    /// The credentials are wrong: pause the webhook.
    case refused(String)

    /// What happened, without secrets.
    public var message: String {
        switch self {
        case .retry(let message), .refused(let message): message
        }
    }
}
