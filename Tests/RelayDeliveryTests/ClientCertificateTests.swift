import Foundation
import RelayCore
import RelayTestSupport
import Testing

@testable import RelayDelivery

/// A destination that requires a TLS client certificate (SPEC §3.2) gets the webhook's, and a
/// connection that presented one is never lent to a request that has none or another.
@Suite(.timeLimit(.minutes(1))) struct ClientCertificateTests {
    @Test func theCertificateIsPresentedAndItsConnectionsAreKeptApart() async throws {
        let ca = try TestClientCA()
        let pair = try ca.issue()
        let certificate = try ClientCertificate(certificatePEM: pair.certificatePEM, keyPEM: pair.keyPEM)
        let stranger = try TestClientCA().issue()
        let foreign = try ClientCertificate(certificatePEM: stranger.certificatePEM, keyPEM: stranger.keyPEM)
        try await TestReceiver.with(clientCA: ca.certificatePEM) { receiver in
            let transport = try HTTPTransport.forTests(allowPrivateNetworks: true)
            let first = await transport.send(.test(receiver.url("/first")), clientCertificate: certificate)
            let without = await transport.send(.test(receiver.url("/without")))
            let other = await transport.send(.test(receiver.url("/foreign")), clientCertificate: foreign)
            let again = await transport.send(.test(receiver.url("/again")), clientCertificate: certificate)
            try await transport.shutdown()

            #expect(first.response.httpStatus == 200)
            #expect(again.response.httpStatus == 200)
            for refused in [without, other] {
                #expect(refused.response.failure != nil, "refused in the handshake, got \(refused.response)")
            }
            #expect(receiver.requests().map(\.path) == ["/first", "/again"])
        }
    }

    @Test func aDestinationThatAsksForNoCertificateIsReachedWithOne() async throws {
        let pair = try TestClientCA().issue()
        let certificate = try ClientCertificate(certificatePEM: pair.certificatePEM, keyPEM: pair.keyPEM)
        try await TestReceiver.with { receiver in
            let transport = try HTTPTransport.forTests(allowPrivateNetworks: true)
            let reply = await transport.send(.test(receiver.url()), clientCertificate: certificate)
            try await transport.shutdown()
            #expect(reply.response.httpStatus == 200)
        }
    }
}
