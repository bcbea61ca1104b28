import HummingbirdCore
import HummingbirdTLS
import NIOSSL
import RelayCore

/// How the server speaks: HTTP/1.1 with the connection deadlines, over TLS when
/// `server.tls.certificateFile` and `keyFile` are set (SPEC §10).
enum ServerTLS {
    /// The server builder for `server`; an unreadable certificate or key stops the start,
    /// naming the key.
    static func builder(for server: RelayConfiguration.Server) throws -> HTTPServerBuilder {
        let http = HTTPServerBuilder.http1(headerTimeout: server.headerTimeout, idleTimeout: server.idleTimeout)
        guard let certificateFile = server.tls.certificateFile, let keyFile = server.tls.keyFile else { return http }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        } catch {
            throw StartupError(
                description: "server.tls.certificateFile: cannot read a PEM certificate from \(certificateFile)")
        }
        guard !chain.isEmpty else {
            throw StartupError(description: "server.tls.certificateFile: \(certificateFile) holds no certificate")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch {
            throw StartupError(description: "server.tls.keyFile: cannot read a PEM private key from \(keyFile)")
        }
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        do {
            return try .tls(http, tlsConfiguration: tls)
        } catch {
            throw StartupError(description: "server.tls: the certificate and key cannot serve TLS: \(error)")
        }
    }
}
