import Foundation

/// How a custom webhook groups messages into one request (SPEC §6): at most `maxEvents` events
/// and `maxBytes` of body, sent once full or once the oldest due message has waited `maxWait`.
///
/// ```yaml
/// batch: {maxEvents: 100, maxBytes: 1000000, maxWait: 1s}
/// ```
public struct BatchSettings: Sendable, Equatable, Codable {
    public var maxEvents: Int
    /// The largest body sent, in bytes; one event larger than this is sent alone.
    public var maxBytes: Int
    /// How long a due message may wait for the batch to fill.
    public var maxWait: RelayDuration

    public static let defaultMaxEvents = 100
    public static let defaultMaxBytes = 1_000_000
    public static let defaultMaxWait = RelayDuration(milliseconds: 1000)
    /// The Azure Monitor Logs Ingestion API takes at most 1 MB per call.
    public static let sentinelMaxBytes = 1_000_000

    /// One event per request: what a webhook without `batch` does.
    public static let single = BatchSettings(maxEvents: 1, maxBytes: Int.max, maxWait: .init(milliseconds: 0))

    public init(
        maxEvents: Int = defaultMaxEvents, maxBytes: Int = defaultMaxBytes, maxWait: RelayDuration = defaultMaxWait
    ) {
        self.maxEvents = maxEvents
        self.maxBytes = maxBytes
        self.maxWait = maxWait
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case maxEvents, maxBytes, maxWait
    }

    public init(from decoder: any Decoder) throws {
        try StrictKeys.refuseUnknown(in: decoder, known: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        maxEvents = try container.decodeIfPresent(Int.self, forKey: .maxEvents) ?? Self.defaultMaxEvents
        maxBytes = try container.decodeIfPresent(Int.self, forKey: .maxBytes) ?? Self.defaultMaxBytes
        maxWait = try container.decodeIfPresent(RelayDuration.self, forKey: .maxWait) ?? Self.defaultMaxWait
    }

    /// Every field that breaks a rule, named `batch.<field>`.
    func problems(format: MessageFormat) -> [FieldError] {
        var errors: [FieldError] = []
        if !(1...10_000).contains(maxEvents) {
            errors.append(FieldError(field: "batch.maxEvents", reason: "must be 1 to 10000"))
        }
        let byteLimit = format == .sentinel ? Self.sentinelMaxBytes : 100 * 1_048_576
        if !(1024...byteLimit).contains(maxBytes) {
            let why = format == .sentinel ? " (the Logs Ingestion API takes at most 1 MB per call)" : ""
            errors.append(FieldError(field: "batch.maxBytes", reason: "must be 1024 to \(byteLimit)\(why)"))
        }
        if maxWait.milliseconds > 300_000 {
            errors.append(FieldError(field: "batch.maxWait", reason: "must be at most 5m"))
        }
        return errors
    }

    /// Consecutive groups of pieces (given by their lengths), each one request: at most
    /// `maxEvents` pieces and a body of at most `maxBytes` as `layout` joins them. A piece that is
    /// larger on its own goes alone.
    ///
    /// ```swift
    /// BatchSettings(maxEvents: 2, maxBytes: 1024).groups(of: [10, 10, 10], layout: layout)  // [0..<2, 2..<3]
    /// ```
    public func groups(of lengths: [Int], layout: MessageLayout) -> [Range<Int>] {
        var groups: [Range<Int>] = []
        var start = 0
        var size = layout.size(of: [Int]())
        for (index, length) in lengths.enumerated() {
            let count = index - start
            let grown = size + length + (count > 0 ? layout.separatorLength : 0)
            if count > 0, count >= maxEvents || grown > maxBytes {
                groups.append(start..<index)
                start = index
                size = layout.size(of: [length])
            } else {
                size = grown
            }
        }
        if start < lengths.count { groups.append(start..<lengths.count) }
        return groups
    }
}
