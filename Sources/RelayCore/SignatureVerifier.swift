import Crypto
import Foundation

/// Checks a received request's signatures against candidate secrets, in constant time per
/// comparison — what `auditrelay verify` and receivers do.
///
/// ```swift
/// let results = SignatureVerifier.verify(headers: ["X-Soteri-Signature": sig], body: body,
///                                        secrets: ["s1", "s2"], now: WallClock.nowMillis() / 1000)
/// results.first?.matchedSecret  // 1 (the index of the secret that matched)
/// ```
public enum SignatureVerifier {
    /// The verdict for one signature scheme found in the headers.
    public struct Result: Sendable, Equatable {
        /// The header the scheme was read from.
        public var scheme: String
        /// The index (from 0) of the first secret that produced a valid signature.
        public var matchedSecret: Int?
        /// Why no secret matched.
        public var failure: String?
    }

    /// Default largest difference between `webhook-timestamp` and now: 5 minutes.
    public static let defaultToleranceSeconds: Int64 = 300

    /// Every scheme present in `headers` (names case-insensitive), checked against `secrets`.
    public static func verify(
        headers: HeaderFields, body: [UInt8], secrets: [String], now: Int64,
        toleranceSeconds: Int64 = defaultToleranceSeconds
    ) -> [Result] {
        var results: [Result] = []
        if let value = headers["x-soteri-signature"] {
            let signatures = value.split(separator: ",").compactMap { Data(base64Encoded: String($0)) }
            results.append(
                match("X-Soteri-Signature", signatures: signatures, secrets: secrets) { secret in
                    (SymmetricKey(data: Data(secret.utf8)), body)
                })
        }
        if let value = headers["webhook-signature"] {
            results.append(
                standard(value, headers: headers, body: body, secrets: secrets, now: now, tolerance: toleranceSeconds))
        }
        if let value = headers["x-hub-signature-256"] {
            results.append(hub("X-Hub-Signature-256", value, methods: ["sha256"], body: body, secrets: secrets))
        }
        return results
    }

    /// `<method>=<hex>` (`X-Hub-Signature-256`, and `X-Hub-Signature` as Bitbucket and Jira send
    /// it): an HMAC of the body keyed with the secret's bytes; `method` must be one of `methods`.
    static func hub(_ scheme: String, _ value: String, methods: Set<String>, body: [UInt8], secrets: [String])
        -> Result
    {
        let parts = value.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, let signature = Hex.decode(parts[1]) else {
            return Result(scheme: scheme, failure: "no signature could be read")
        }
        guard methods.contains(parts[0].lowercased()) else {
            let allowed = methods.sorted().map { "\($0)=<hex>" }.joined(separator: " or ")
            return Result(scheme: scheme, failure: "the method \(parts[0]) is not accepted: \(allowed)")
        }
        let key = { (secret: String) in (SymmetricKey(data: Data(secret.utf8)), body) }
        return switch parts[0].lowercased() {
        case "sha384":
            match(scheme, signatures: [Data(signature)], secrets: secrets, hash: SHA384.self, keyAndMessage: key)
        case "sha512":
            match(scheme, signatures: [Data(signature)], secrets: secrets, hash: SHA512.self, keyAndMessage: key)
        default: match(scheme, signatures: [Data(signature)], secrets: secrets, keyAndMessage: key)
        }
    }

    /// Standard Webhooks: `webhook-signature` over `{webhook-id}.{webhook-timestamp}.{body}`.
    static func standard(
        _ value: String, headers: HeaderFields, body: [UInt8], secrets: [String], now: Int64, tolerance: Int64
    ) -> Result {
        let scheme = "webhook-signature"
        guard let id = headers["webhook-id"], let timestampText = headers["webhook-timestamp"],
            let timestamp = Int64(timestampText)
        else {
            return Result(scheme: scheme, failure: "webhook-id and webhook-timestamp are required")
        }
        guard abs(now - timestamp) <= tolerance else {
            return Result(scheme: scheme, failure: "the timestamp is outside the \(tolerance)-second tolerance")
        }
        let signatures = value.split(separator: " ").compactMap { part -> Data? in
            guard part.hasPrefix("v1,") else { return nil }
            return Data(base64Encoded: String(part.dropFirst(3)))
        }
        let signed = Array("\(id).\(timestamp).".utf8) + body
        return match(scheme, signatures: signatures, secrets: secrets) { secret in
            (SymmetricKey(data: Signer.standardKey(secret)), signed)
        }
    }

    private static func match<H: HashFunction>(
        _ scheme: String, signatures: [Data], secrets: [String], hash: H.Type = SHA256.self,
        keyAndMessage: (String) -> (SymmetricKey, [UInt8])
    ) -> Result {
        guard !signatures.isEmpty else { return Result(scheme: scheme, failure: "no signature could be read") }
        for (index, secret) in secrets.enumerated() {
            let (key, message) = keyAndMessage(secret)
            for signature in signatures
            where HMAC<H>.isValidAuthenticationCode(signature, authenticating: message, using: key) {
                return Result(scheme: scheme, matchedSecret: index)
            }
        }
        return Result(scheme: scheme, failure: "no secret produced this signature")
    }
}
