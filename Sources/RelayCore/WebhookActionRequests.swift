/// The body of `PUT /v1/webhooks/{id}/authorization`: the value sent as the `Authorization`
/// header (SPEC §3.2).
///
/// ```swift
/// let request = try AuthorizationRequest(json: ["authorization": .string("Splunk 0000")])
/// ```
public struct AuthorizationRequest: Codable, Sendable, Equatable {
    /// `<auth-scheme> <credentials>`.
    public var authorization: String

    public init(authorization: String) {
        self.authorization = authorization
    }

    /// Reads the body, naming every unknown member and a missing or malformed value at once.
    public init(json: [String: JSONValue]) throws(RelayProblem) {
        var errors = FieldError.unknownMembers(of: json, known: ["authorization"])
        let value = json["authorization"]?.string
        if let value {
            if let reason = HeaderRules.authorizationProblem(value) {
                errors.append(FieldError(field: "authorization", reason: reason))
            }
        } else {
            errors.append(FieldError(field: "authorization", reason: "is required and must be a string"))
        }
        guard errors.isEmpty, let value else { throw .invalid(errors) }
        authorization = value
    }
}

/// The body of `POST /v1/webhooks/{id}/secrets`: a given secret, or none (an empty body or
/// `{}`) for the relay to make one ("Random").
public struct SecretRequest: Codable, Sendable, Equatable {
    /// The secret to add; `nil` for a generated one.
    public var secret: String?

    public init(secret: String?) {
        self.secret = secret
    }

    /// Reads the body, naming every unknown member and a value that is not a string.
    public init(json: [String: JSONValue]) throws(RelayProblem) {
        var errors = FieldError.unknownMembers(of: json, known: ["secret"])
        switch json["secret"] {
        case nil, .null?: secret = nil
        case .string(let given)?: secret = given
        default:
            secret = nil
            errors.append(FieldError(field: "secret", reason: "must be a string"))
        }
        guard errors.isEmpty else { throw .invalid(errors) }
    }
}

extension FieldError {
    /// A reason for each member of `json` a request does not take, in name order.
    public static func unknownMembers(
        of json: [String: JSONValue], known: some Sequence<String>, reason: String = "is not a field of this request"
    ) -> [FieldError] {
        let known = Set(known)
        return json.keys.filter { !known.contains($0) }.sorted().map { FieldError(field: $0, reason: reason) }
    }
}
