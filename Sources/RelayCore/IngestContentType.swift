import Foundation

/// The body formats `POST /v1/events` accepts, chosen by the request's `Content-Type`.
public enum IngestContentType: Sendable, Equatable {
    /// `application/json`: one event object or an array of them.
    case json
    /// `application/x-ndjson`: one event object per line.
    case ndjson
    /// `application/cloudevents+json`: one structured-mode CloudEvent.
    case cloudEvent
    /// `application/cloudevents-batch+json`: an array of CloudEvents.
    case cloudEventBatch

    /// The media types accepted, for error messages and documentation.
    public static let supported = [
        "application/json", "application/x-ndjson", "application/cloudevents+json",
        "application/cloudevents-batch+json",
    ]

    /// Reads a `Content-Type` header value, ignoring parameters such as `charset`.
    ///
    /// ```swift
    /// IngestContentType(header: "application/json; charset=utf-8")  // .json
    /// ```
    public init?(header: String) {
        let mediaType = header.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        switch mediaType {
        case "application/json": self = .json
        case "application/x-ndjson", "application/ndjson", "application/jsonl": self = .ndjson
        case "application/cloudevents+json": self = .cloudEvent
        case "application/cloudevents-batch+json": self = .cloudEventBatch
        default: return nil
        }
    }

    var isCloudEvents: Bool { self == .cloudEvent || self == .cloudEventBatch }
}
