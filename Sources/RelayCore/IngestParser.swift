import Foundation

/// Limits applied to one ingest request's events.
public struct IngestLimits: Sendable, Equatable {
    /// Most events one request may carry.
    public var maxEventsPerRequest: Int
    /// Largest single event, in bytes.
    public var maxEventBytes: Int

    public init(maxEventsPerRequest: Int = 10_000, maxEventBytes: Int = 1_048_576) {
        self.maxEventsPerRequest = maxEventsPerRequest
        self.maxEventBytes = maxEventBytes
    }
}

/// Reads the events of one ingest request; a request is all-or-nothing, so the first problem
/// found refuses the whole request.
///
/// ```swift
/// let events = try IngestParser.parse(body, as: .ndjson, limits: IngestLimits())
/// ```
public enum IngestParser {
    /// Most field errors one refusal lists.
    static let maxReportedErrors = 100

    /// The events in `body`, or the problem that refuses the request.
    public static func parse(_ body: [UInt8], as contentType: IngestContentType, limits: IngestLimits)
        throws(RelayProblem) -> [IncomingEvent]
    {
        let objects = try split(body, as: contentType)
        guard !objects.isEmpty else { throw .malformed("the request holds no events") }
        guard objects.count <= limits.maxEventsPerRequest else {
            throw .tooLarge(
                "the request holds \(objects.count) events; at most \(limits.maxEventsPerRequest) are allowed")
        }
        let isBatch = objects.count > 1 || isArray(body, contentType)
        var events: [IncomingEvent] = []
        events.reserveCapacity(objects.count)
        var errors: [FieldError] = []
        for (position, range) in objects.enumerated() {
            let place = isBatch ? "events[\(position)]" : "event"
            guard range.count <= limits.maxEventBytes else {
                throw .tooLarge("\(place) is \(range.count) bytes; at most \(limits.maxEventBytes) are allowed")
            }
            let object = Array(body[range])
            do {
                events.append(
                    try read(object, place: place, prefix: isBatch ? place + "." : "", contentType: contentType))
            } catch  where error.status == 422 {
                errors.append(contentsOf: error.errors)
                if errors.count >= maxReportedErrors { break }
            }
        }
        guard errors.isEmpty else { throw .invalid(Array(errors.prefix(maxReportedErrors))) }
        return events
    }

    private static func isArray(_ body: [UInt8], _ contentType: IngestContentType) -> Bool {
        guard contentType != .ndjson else { return false }
        let first = JSONArraySplitter.skipWhitespace(body, from: 0)
        return first < body.count && body[first] == UInt8(ascii: "[")
    }

    private static func split(_ body: [UInt8], as contentType: IngestContentType) throws(RelayProblem) -> [Range<Int>] {
        switch contentType {
        case .ndjson:
            return lines(of: body)
        case .cloudEvent:
            return try single(body)
        case .json, .cloudEventBatch:
            if isArray(body, .json) {
                do {
                    return try JSONArraySplitter.elements(of: body)
                } catch {
                    throw .malformed("the body is not a valid JSON array (\(describe(error)))")
                }
            }
            if contentType == .cloudEventBatch { throw .malformed("a CloudEvents batch must be a JSON array") }
            return try single(body)
        }
    }

    private static func single(_ body: [UInt8]) throws(RelayProblem) -> [Range<Int>] {
        let start = JSONArraySplitter.skipWhitespace(body, from: 0)
        let end = JSONArraySplitter.trimTrailingWhitespace(body, start: start, end: body.count)
        return start < end ? [start..<end] : []
    }

    private static func lines(of body: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var lineStart = 0
        for index in 0...body.count where index == body.count || body[index] == UInt8(ascii: "\n") {
            let start = JSONArraySplitter.skipWhitespace(body, from: lineStart)
            let end = JSONArraySplitter.trimTrailingWhitespace(body, start: start, end: index)
            if start < end { ranges.append(start..<end) }
            lineStart = index + 1
        }
        return ranges
    }

    private static func read(_ object: [UInt8], place: String, prefix: String, contentType: IngestContentType)
        throws(RelayProblem) -> IncomingEvent
    {
        let members: [String: JSONObjectScanner.Member]
        do {
            members = try JSONObjectScanner.scan(object, reading: readMembers)
        } catch {
            throw .malformed("\(place) is not a valid JSON object (\(describe(error)))")
        }
        var errors: [FieldError] = []
        let type = string(members["type"], field: prefix + "type", required: true, errors: &errors)
        if let type, let problem = EventRules.sentTypeProblem(type) {
            errors.append(FieldError(field: prefix + "type", reason: problem))
        }
        let id = string(
            members["id"], field: prefix + "id", required: contentType.isCloudEvents, errors: &errors)
        if let id, let problem = EventRules.idProblem(id) {
            errors.append(FieldError(field: prefix + "id", reason: problem))
        }
        var occurredAt: Int64?
        if let time = members["time"] {
            occurredAt = time.string.flatMap(RFC3339.parseMillis)
            if occurredAt == nil {
                errors.append(FieldError(field: prefix + "time", reason: "must be an RFC 3339 date-time"))
            }
        }
        if contentType.isCloudEvents {
            if members["specversion"]?.string?.hasPrefix("1.") != true {
                errors.append(FieldError(field: prefix + "specversion", reason: "must be a CloudEvents 1.x version"))
            }
            if members["source"]?.string?.isEmpty != false {
                errors.append(FieldError(field: prefix + "source", reason: "is required for CloudEvents"))
            }
        }
        guard errors.isEmpty, let type else { throw .invalid(errors) }
        return IncomingEvent(id: id, type: type, occurredAt: occurredAt, object: object)
    }

    private static let readMembers: Set<String> = ["type", "id", "time", "specversion", "source"]

    /// The member's string value; records "is required" or "must be a string" otherwise.
    private static func string(
        _ member: JSONObjectScanner.Member?, field: String, required: Bool, errors: inout [FieldError]
    ) -> String? {
        switch member {
        case .string(let value): return value
        case .other: errors.append(FieldError(field: field, reason: "must be a string"))
        case nil: if required { errors.append(FieldError(field: field, reason: "is required")) }
        }
        return nil
    }

    private static func describe(_ failure: JSONObjectScanner.Failure) -> String {
        switch failure {
        case .notAnObject: "not an object"
        case .invalid(let offset): "invalid JSON at byte \(offset)"
        case .tooDeep: "nested deeper than \(JSONObjectScanner.maxDepth) levels"
        case .duplicateMember(let name): "the member '\(name)' appears twice"
        case .invalidUTF8: "not valid UTF-8"
        }
    }

    private static func describe(_ failure: JSONArraySplitter.Failure) -> String {
        switch failure {
        case .notAnArray: "not an array"
        case .unterminated: "it ends before the array is closed"
        case .unexpectedByte(let offset): "unexpected content at byte \(offset)"
        }
    }
}
