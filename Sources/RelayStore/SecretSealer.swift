import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Encrypts webhook secrets and authorization values at rest with AES-GCM.
///
/// The key comes from `AUDITRELAY_SECRET_KEY` (base64 of 32 bytes, or any other text, which is
/// hashed with SHA-256 into a key), or from a key file beside the database, made with mode
/// `0600` on first start.
///
/// ```swift
/// let sealer = try SecretSealer.load(environmentKey: nil, keyFile: "data/auditrelay.key")
/// let sealed = try sealer.seal("whsec_…")
/// ```
public struct SecretSealer: Sendable {
    private let key: SymmetricKey

    /// A sealer with an explicit key (tests).
    public init(key: SymmetricKey) {
        self.key = key
    }

    /// The sealer for a store: the environment's key when given, else the key file's (created when missing).
    public static func load(environmentKey: String?, keyFile: String) throws -> SecretSealer {
        if let environmentKey, !environmentKey.isEmpty {
            if let bytes = Data(base64Encoded: environmentKey), bytes.count == 32 {
                return SecretSealer(key: SymmetricKey(data: bytes))
            }
            return SecretSealer(key: SymmetricKey(data: SHA256.hash(data: Data(environmentKey.utf8))))
        }
        if let text = try? String(contentsOfFile: keyFile, encoding: .utf8) {
            guard let bytes = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
                bytes.count == 32
            else { throw StoreError.invalidKeyFile(keyFile) }
            return SecretSealer(key: SymmetricKey(data: bytes))
        }
        let key = SymmetricKey(size: .bits256)
        let encoded = key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
        let descriptor = Glibc.open(keyFile, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw StoreError.invalidKeyFile(keyFile) }
        defer { Glibc.close(descriptor) }
        let written = encoded.utf8CString.withUnsafeBufferPointer {
            Glibc.write(descriptor, $0.baseAddress, $0.count - 1)
        }
        guard written == encoded.utf8.count, fsync(descriptor) == 0 else { throw StoreError.invalidKeyFile(keyFile) }
        return SecretSealer(key: key)
    }

    /// The sealed form of `plaintext`: nonce, ciphertext and tag.
    public func seal(_ plaintext: String) throws -> Data {
        guard let combined = try AES.GCM.seal(Data(plaintext.utf8), using: key).combined else {
            throw StoreError.sealing
        }
        return combined
    }

    /// The plaintext of a value made by ``seal(_:)``.
    public func open(_ sealed: Data) throws -> String {
        let box = try AES.GCM.SealedBox(combined: sealed)
        return String(decoding: try AES.GCM.open(box, using: key), as: UTF8.self)
    }
}
