import Crypto
import Foundation
import SwiftASN1
import X509

/// A throw-away certificate authority made at test time (P-256), and the TLS client certificates
/// it issues: for destinations that require one (SPEC §3.2), and for certificates a file cannot
/// keep valid or expired for long.
public struct TestClientCA: Sendable {
    /// The CA's certificate, to trust on the receiving side.
    public let certificatePEM: String
    private let key: P256.Signing.PrivateKey
    private let name: DistinguishedName

    /// A client certificate and its key, in PEM.
    public struct Issued: Sendable {
        public let certificatePEM: String
        public let keyPEM: String
    }

    public init(commonName: String = "AuditRelay Test Client CA") throws {
        key = P256.Signing.PrivateKey()
        name = try DistinguishedName { CommonName(commonName) }
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: Date() - 3600, notValidAfter: Date() + 86_400, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true))
            },
            issuerPrivateKey: .init(key))
        certificatePEM = try certificate.serializeAsPEM().pemString
    }

    /// A client certificate for `commonName` valid until `notValidAfter`, with a new key.
    public func issue(commonName: String = "relay.test", notValidAfter: Date = Date() + 86_400) throws -> Issued {
        let clientKey = P256.Signing.PrivateKey()
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(clientKey.publicKey),
            notValidBefore: min(Date(), notValidAfter) - 3600, notValidAfter: notValidAfter, issuer: name,
            subject: try DistinguishedName {
                OrganizationName("Acme")
                CommonName(commonName)
            },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.clientAuth])
            },
            issuerPrivateKey: .init(key))
        return Issued(certificatePEM: try certificate.serializeAsPEM().pemString, keyPEM: clientKey.pemRepresentation)
    }
}
