import Foundation

/// The relay's own identity on the wire.
public enum RelayVersion {
    /// The release version, sent in `User-Agent: AuditRelay/<version>`.
    public static let current = "0.1.0"
}
