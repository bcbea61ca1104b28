import Crypto
import Foundation
import SwiftASN1
import X509

/// The TLS client certificate a custom webhook presents to its destination (SPEC §3.2): QRadar's
/// HTTP receiver and Splunk HEC can require one.
///
/// Made only from a certificate and a key that belong together; the subject, the expiry and a
/// fingerprint are read from the certificate once, here.
///
/// ```swift
/// let identity = try ClientCertificate(certificatePEM: chain, keyPEM: key)
/// identity.subject        // "CN=relay.example.com,O=Acme"
/// identity.expiryProblem(now: WallClock.nowMillis())  // nil while it is valid
/// ```
public struct ClientCertificate: Sendable, Equatable {
    /// The certificate in PEM, optionally followed by the intermediates that chain it to the
    /// destination's trusted root (sent with it in the handshake).
    public let certificatePEM: String
    /// The unencrypted private key in PEM (PKCS #8, SEC 1 or PKCS #1). A secret: sealed at rest,
    /// never shown, never logged.
    public let keyPEM: String
    /// The certificate's subject, e.g. `CN=relay.example.com,O=Acme`.
    public let subject: String
    /// Unix milliseconds after which the certificate is no longer valid.
    public let notValidAfter: Int64
    /// SHA-256 of the certificate's DER bytes, in hex: which certificate this is, without the key.
    public let fingerprint: String

    /// Reads `certificatePEM` and `keyPEM`, refusing text that is not a PEM certificate or an
    /// unencrypted PEM private key, and a key that is not the certificate's.
    public init(certificatePEM: String, keyPEM: String) throws(FieldError) {
        let documents: [PEMDocument]
        let certificate: Certificate
        do {
            documents = try PEMDocument.parseMultiple(pemString: certificatePEM)
            guard let first = documents.first, documents.allSatisfy({ $0.discriminator == "CERTIFICATE" }) else {
                throw Self.notACertificate
            }
            certificate = try Certificate(derEncoded: first.derBytes)
        } catch {
            throw Self.notACertificate
        }
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: keyPEM)
        } catch {
            throw FieldError(
                field: "clientKey",
                reason: "must be an unencrypted PEM private key (PKCS #8, SEC 1 or PKCS #1) of a supported type")
        }
        guard key.publicKey == certificate.publicKey else {
            throw FieldError(field: "clientKey", reason: "does not match clientCertificate")
        }
        self.certificatePEM = certificatePEM
        self.keyPEM = keyPEM
        self.subject = certificate.subject.description
        self.notValidAfter = Int64((certificate.notValidAfter.timeIntervalSince1970 * 1000).rounded(.down))
        self.fingerprint = Hex.encode(SHA256.hash(data: documents[0].derBytes))
    }

    /// Why the certificate cannot be used at `now` (Unix milliseconds): it has expired.
    public func expiryProblem(now: Int64) -> FieldError? {
        guard notValidAfter < now else { return nil }
        return FieldError(
            field: "clientCertificate", reason: "expired on \(RFC3339.format(millis: notValidAfter))")
    }

    public static func == (lhs: ClientCertificate, rhs: ClientCertificate) -> Bool {
        lhs.certificatePEM == rhs.certificatePEM && lhs.keyPEM == rhs.keyPEM
    }

    private static let notACertificate = FieldError(
        field: "clientCertificate",
        reason: "must be a PEM certificate (BEGIN CERTIFICATE), optionally followed by its chain")
}
