import NIOCore
import RelayCore
import RelayTestSupport

@testable import RelayDelivery

/// A resolver with fixed answers: a name can resolve to any mix of addresses, as DNS can make it.
struct FixedResolver: HostResolver {
    let answers: [String: [String]]

    func addresses(of host: String, port: Int) async throws -> [SocketAddress] {
        guard let answer = answers[host] else { throw ResolutionFailure(host: host, reason: "unknown name") }
        return try answer.map { try SocketAddress(ipAddress: $0, port: port) }
    }
}

extension HTTPTransport {
    /// A transport trusting the test CA, with the egress guard on unless `allowPrivateNetworks`.
    /// Its connect limit is a generous 30 s: these tests are about what crosses the wire, and a
    /// loaded machine must not turn a slow handshake into their failure.
    static func forTests(
        allowPrivateNetworks: Bool = false, proxy: ProxySettings? = nil, resolver: (any HostResolver)? = nil,
        timeout: RelayDuration = .seconds(10)
    ) throws -> HTTPTransport {
        let configuration = Configuration(
            connectTimeout: .seconds(30), timeout: timeout, trustedCAFile: TestFixtures.caFile,
            allowPrivateNetworks: allowPrivateNetworks, proxy: proxy)
        return try HTTPTransport(configuration: configuration, resolver: resolver ?? SystemResolver())
    }
}

extension OutboundRequest {
    /// A small JSON POST to `url`.
    static func test(_ url: String, body: String = #"{"type":"user.login"}"#) -> OutboundRequest {
        OutboundRequest(url: url, headers: [(name: "Content-Type", value: "application/json")], body: Array(body.utf8))
    }
}

extension AttemptResponse {
    /// The failure, when there was no HTTP answer.
    var failure: TransportFailure? {
        if case .transportFailure(let failure) = self { return failure }
        return nil
    }
}
