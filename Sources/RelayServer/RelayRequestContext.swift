import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's basics and the client's address (the
/// settings page slows down repeated sign-in failures per address).
public struct RelayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer of the connection; `nil` under the router test client.
    public let remoteAddress: SocketAddress?

    /// The client's IP address, as audit events and the sign-in throttle name it.
    public var clientAddress: String? { remoteAddress?.ipAddress }

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
