import NIOSSL
import RelayCore
import Synchronization

/// The TLS client contexts connections start from: one without a client certificate, and one
/// per certificate a webhook presents (SPEC §3.2), made when first needed.
final class TLSContexts: Sendable {
    private let configuration: TLSConfiguration
    private let plain: NIOSSLContext
    private let presenting = Mutex<[String: NIOSSLContext]>([:])
    /// More certificates than any relay has at once; past it the cache starts again, so renewed
    /// certificates do not pile up.
    private static let limit = 64

    /// Contexts that trust the system's roots and `configuration`'s.
    init(configuration: TLSConfiguration) throws {
        self.configuration = configuration
        self.plain = try NIOSSLContext(configuration: configuration)
    }

    /// The context for a connection presenting `certificate`, or none.
    func context(presenting certificate: ClientCertificate?) throws -> NIOSSLContext {
        guard let certificate else { return plain }
        if let made = presenting.withLock({ $0[certificate.fingerprint] }) { return made }
        var configuration = self.configuration
        configuration.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(certificate.certificatePEM.utf8))
            .map { .certificate($0) }
        configuration.privateKey = .privateKey(
            try NIOSSLPrivateKey(bytes: Array(certificate.keyPEM.utf8), format: .pem))
        let context = try NIOSSLContext(configuration: configuration)
        presenting.withLock { contexts in
            if contexts.count >= Self.limit { contexts.removeAll() }
            contexts[certificate.fingerprint] = context
        }
        return context
    }
}
