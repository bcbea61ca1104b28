import Foundation

/// The metadata a `splunk-hec` webhook puts around each event (SPEC §6): `source`,
/// `sourcetype`, and optionally `index` and `host`.
///
/// ```yaml
/// splunk: {sourcetype: "acme:audit", index: security}
/// ```
public struct SplunkFields: Sendable, Equatable, Codable {
    public var source: String
    public var sourcetype: String
    /// The target index; the token's default index when absent.
    public var index: String?
    /// The `host` field; the relay machine's host name when absent.
    public var host: String?

    public static let defaultSource = "auditrelay"
    public static let defaultSourcetype = "auditrelay:event"

    public init(
        source: String = defaultSource, sourcetype: String = defaultSourcetype, index: String? = nil,
        host: String? = nil
    ) {
        self.source = source
        self.sourcetype = sourcetype
        self.index = index
        self.host = host
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case source, sourcetype, index, host
    }

    public init(from decoder: any Decoder) throws {
        try StrictKeys.refuseUnknown(in: decoder, known: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        source = try container.decodeIfPresent(String.self, forKey: .source) ?? Self.defaultSource
        sourcetype = try container.decodeIfPresent(String.self, forKey: .sourcetype) ?? Self.defaultSourcetype
        index = try container.decodeIfPresent(String.self, forKey: .index)
        host = try container.decodeIfPresent(String.self, forKey: .host)
    }

    /// Every field that breaks a rule, named `splunk.<field>`.
    func problems() -> [FieldError] {
        let fields: [(String, String?)] = [
            ("source", source), ("sourcetype", sourcetype), ("index", index), ("host", host),
        ]
        return fields.compactMap { name, value in
            guard let value, value.isEmpty || value.count > 1024 || value.contains(where: \.isNewline) else {
                return nil
            }
            return FieldError(field: "splunk.\(name)", reason: "must be 1 to 1024 characters on one line")
        }
    }
}
