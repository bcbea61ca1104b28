import Foundation
import Logging
import RelayCore

/// Sets up the process's logging from `log:`: text or one JSON object per line, on stderr.
enum RelayLogging {
    static func bootstrap(_ settings: RelayConfiguration.Log) -> Logger {
        let level = Logger.Level(rawValue: settings.level) ?? .info
        let json = settings.format == "json"
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "auditrelay")
    }
}

/// Writes each log record as one JSON object per line on stderr, metadata keys as given.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [String: String] = [
            "time": RFC3339.format(millis: WallClock.nowMillis()), "level": event.level.rawValue,
            "message": "\(event.message)",
            "logger": label,
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            fields[key] = "\(value)"
        }
        guard var line = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
        line.append(UInt8(ascii: "\n"))
        FileHandle.standardError.write(line)
    }
}
