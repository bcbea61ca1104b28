/// Why the store could not do what was asked.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The queue holds `ingest.maxQueuedEvents` undelivered messages already.
    case queueFull(limit: Int)
    /// SQLite could not grow the database (disk or size limit full).
    case storageFull
    /// The secret key file is unreadable or malformed.
    case invalidKeyFile(String)
    /// A secret could not be encrypted.
    case sealing
    /// No webhook has this id.
    case webhookNotFound(String)
    /// Another webhook already has this name.
    case nameTaken(String)
    /// No source has this id.
    case sourceNotFound(String)
    /// Another source already has this name.
    case sourceNameTaken(String)
    /// The secret an inbound request was verified with is no longer accepted by its source.
    case secretNotAccepted
    /// A stored row cannot be read back (written by a newer relay, or damaged).
    case unreadable(String)

    public var description: String {
        switch self {
        case .queueFull(let limit): "the delivery queue is full (\(limit) undelivered messages)"
        case .storageFull: "the store is out of space"
        case .invalidKeyFile(let path): "the secret key file \(path) cannot be read or created"
        case .sealing: "a secret could not be encrypted"
        case .webhookNotFound(let id): "no webhook has the id \(id)"
        case .nameTaken(let name): "another webhook is already named '\(name)'"
        case .sourceNotFound(let id): "no source has the id \(id)"
        case .sourceNameTaken(let name): "another source is already named '\(name)'"
        case .secretNotAccepted: "the request's secret is no longer accepted"
        case .unreadable(let what): "a stored row cannot be read: \(what)"
        }
    }
}
