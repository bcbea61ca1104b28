import Foundation

/// What one delivery attempt got back from the destination.
public enum AttemptResponse: Sendable, Equatable {
    /// The destination answered.
    case http(status: Int, retryAfter: String?, body: [UInt8])
    /// No answer: the connection, TLS or the deadline failed.
    case transportFailure(TransportFailure)
}

/// Why an attempt got no HTTP answer.
public struct TransportFailure: Sendable, Equatable, Error {
    /// The broad cause.
    public enum Kind: String, Sendable {
        case timeout
        case connect
        case tls
        /// The destination URL breaks the URL rules (checked again before every connect).
        case refusedDestination = "refused-destination"
        /// The host resolved to a non-public address and private networks are not allowed.
        case nonPublicAddress = "non-public-address"
        /// The token endpoint refused the webhook's OAuth client credentials.
        case credentialsRefused = "credentials-refused"
        case other
    }

    public var kind: Kind
    /// What happened, without secrets; recorded in the attempt.
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}
