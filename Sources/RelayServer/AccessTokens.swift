import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import RelayCore

/// The accepted bearer tokens of one role, kept only as SHA-256 hashes and compared in
/// constant time.
struct AccessTokens: Sendable {
    private let hashes: [[UInt8]]

    /// Tokens given in plain text (configuration) plus stored hex hashes (generated tokens).
    init(tokens: [String], hexHashes: [String]) {
        hashes = tokens.map(Self.hash) + hexHashes.compactMap { Hex.decode($0) }.filter { $0.count == 32 }
    }

    /// The SHA-256 of `token`, as the store keeps it (hex).
    static func hexHash(_ token: String) -> String {
        Hex.encode(hash(token))
    }

    /// Throws a bare `401` unless `request` carries `Authorization: Bearer <one of the tokens>`;
    /// returns the token's fingerprint (``ChangeOrigin/fingerprint(ofToken:)``).
    @discardableResult
    func authorize(_ request: Request) throws -> String {
        guard let header = request.headers[.authorization], header.count > 7,
            header.prefix(7).lowercased() == "bearer "
        else { throw ProblemResponse.unauthorized }
        let token = String(header.dropFirst(7))
        guard accepts(token) else { throw ProblemResponse.unauthorized }
        return ChangeOrigin.fingerprint(ofToken: token)
    }

    /// Whether `token` is one of the tokens, compared by hash in constant time.
    func accepts(_ token: String) -> Bool {
        let presented = Self.hash(token)
        var matched: UInt8 = 1
        for candidate in hashes {
            var difference: UInt8 = 0
            for index in 0..<32 { difference |= candidate[index] ^ presented[index] }
            matched &= difference == 0 ? 0 : 1
        }
        return matched == 0
    }

    private static func hash(_ token: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(token.utf8)))
    }
}
