import Logging
import Synchronization

/// Collects every log record (message and metadata, at trace level) so a test can look for what
/// must never be logged.
public final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    /// A logger at trace level that writes here.
    public func logger(label: String = "test-relay") -> Logger {
        Logger(label: label) { label in Handler(label: label, capture: self) }
    }

    /// Everything logged so far, one record per line.
    public var text: String { lines.withLock { $0.joined(separator: "\n") } }

    fileprivate func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    private struct Handler: LogHandler {
        let label: String
        let capture: LogCapture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
            capture.append("\(event.level) \(label) \(event.message) \(merged)")
        }
    }
}
