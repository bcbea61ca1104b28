import Foundation

/// One field-level reason a request was refused, as it appears in a problem+json `errors` list.
public struct FieldError: Error, Sendable, Equatable, Codable {
    /// Where the problem is, e.g. `type` or `events[3].type`.
    public var field: String
    /// What is wrong, in words an operator can act on.
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }
}

/// A refusal the relay decides without I/O; the HTTP edge renders it as RFC 9457 problem+json.
///
/// ```swift
/// throw RelayProblem(status: 415, title: "Unsupported Media Type", detail: "…")
/// ```
public struct RelayProblem: Error, Sendable, Equatable {
    /// The HTTP status the refusal maps to.
    public var status: Int
    /// A short, fixed summary of the kind of problem.
    public var title: String
    /// What exactly went wrong with this request.
    public var detail: String
    /// Field-level reasons, for validation failures.
    public var errors: [FieldError]

    public init(status: Int, title: String, detail: String, errors: [FieldError] = []) {
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
    }

    /// A `400` for a body that cannot be read as the content type it claims.
    public static func malformed(_ detail: String) -> RelayProblem {
        RelayProblem(status: 400, title: "Malformed request body", detail: detail)
    }

    /// A `413` for a request or event over a configured limit.
    public static func tooLarge(_ detail: String) -> RelayProblem {
        RelayProblem(status: 413, title: "Content too large", detail: detail)
    }

    /// A `422` listing every field that failed validation.
    public static func invalid(_ errors: [FieldError]) -> RelayProblem {
        let detail = errors.map { "\($0.field): \($0.reason)" }.joined(separator: "; ")
        return RelayProblem(status: 422, title: "Validation failed", detail: detail, errors: errors)
    }
}

extension RelayProblem: Codable {
    /// Every problem's `type`: the status and title say what kind of problem it is.
    public static let type = "about:blank"

    private enum CodingKeys: String, CodingKey {
        case type, status, title, detail, errors
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decode(Int.self, forKey: .status)
        title = try container.decode(String.self, forKey: .title)
        detail = try container.decodeIfPresent(String.self, forKey: .detail) ?? title
        errors = try container.decodeIfPresent([FieldError].self, forKey: .errors) ?? []
    }

    /// RFC 9457 members; `errors` only when there are some.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.type, forKey: .type)
        try container.encode(status, forKey: .status)
        try container.encode(title, forKey: .title)
        try container.encode(detail, forKey: .detail)
        if !errors.isEmpty { try container.encode(errors, forKey: .errors) }
    }
}
