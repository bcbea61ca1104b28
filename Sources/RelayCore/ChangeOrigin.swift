import Crypto
import Foundation

/// Who made a change the relay records about itself, and from which address (SPEC §13): the
/// `actor` and `client` of a ``RelayAuditEvent``.
public struct ChangeOrigin: Sendable, Equatable {
    /// Who acted.
    public enum Actor: Sendable, Equatable {
        /// An admin token, over the API or the CLI: the first 12 hex digits of its SHA-256.
        case token(fingerprint: String)
        /// A settings-page session: the fingerprint of the admin token it was signed in with.
        case session(fingerprint: String)
        /// The relay's own decision: a pause on `401`, a source's grace running out.
        case relay
        /// The configuration file's declared webhooks, applied at start.
        case config
        /// Someone not signed in: a refused sign-in.
        case anonymous
    }

    public var actor: Actor
    /// The client's IP address, when the change came over HTTP.
    public var clientAddress: String?

    public init(actor: Actor, clientAddress: String? = nil) {
        self.actor = actor
        self.clientAddress = clientAddress
    }

    /// The relay itself.
    public static let relay = ChangeOrigin(actor: .relay)
    /// The configuration file.
    public static let config = ChangeOrigin(actor: .config)

    /// The fingerprint of an admin token: the first 12 hex digits of its SHA-256. It names the
    /// token in audit events and sessions without being usable as one.
    public static func fingerprint(ofToken token: String) -> String {
        String(Hex.encode(SHA256.hash(data: Data(token.utf8))).prefix(12))
    }
}
