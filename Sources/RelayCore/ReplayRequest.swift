/// The body of `POST /v1/webhooks/{id}/replay` (SPEC §8): which finished messages of a webhook
/// to queue again.
///
/// ```swift
/// let replay = try ReplayRequest(json: ["since": .string("2026-11-24T00:00:00Z"), "dryRun": .bool(true)])
/// ```
public struct ReplayRequest: Sendable, Equatable {
    /// Messages queued at or after this time (Unix milliseconds)…
    public let since: Int64
    /// …and before this one, if given.
    public let until: Int64?
    /// Only messages that finished so.
    public let status: MessageStatus?
    /// Only report what would be queued.
    public let dryRun: Bool

    /// Reads the request's members, refusing unknown ones and bad values field by field.
    public init(json: [String: JSONValue]) throws(RelayProblem) {
        var errors = FieldError.unknownMembers(of: json, known: Body.CodingKeys.allCases.map(\.rawValue))
        func time(_ name: String) -> Int64? {
            guard let value = json[name] else { return nil }
            guard let millis = value.string.flatMap(RFC3339.parseMillis) else {
                errors.append(FieldError(field: name, reason: "must be an RFC 3339 date-time"))
                return nil
            }
            return millis
        }
        let since = time("since")
        if json["since"] == nil { errors.append(FieldError(field: "since", reason: "is required")) }
        until = time("until")
        let status = json["status"]?.string.flatMap(MessageStatus.init(rawValue:))
        self.status = status
        if json["status"] != nil, !MessageStatus.finished.contains(where: { $0 == status }) {
            let finished = MessageStatus.finished.map(\.rawValue).joined(separator: ", ")
            errors.append(FieldError(field: "status", reason: "must be one of \(finished)"))
        }
        switch json["dryRun"] {
        case nil: dryRun = false
        case .bool(let flag)?: dryRun = flag
        default:
            dryRun = false
            errors.append(FieldError(field: "dryRun", reason: "must be true or false"))
        }
        guard errors.isEmpty, let since else { throw .invalid(errors) }
        self.since = since
    }

    /// The request as a client writes it.
    public struct Body: Encodable, Sendable {
        /// RFC 3339.
        public var since: String
        /// RFC 3339.
        public var until: String?
        public var status: MessageStatus?
        public var dryRun: Bool

        public init(since: String, until: String? = nil, status: MessageStatus? = nil, dryRun: Bool = false) {
            self.since = since
            self.until = until
            self.status = status
            self.dryRun = dryRun
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case since, until, status, dryRun
        }
    }
}
