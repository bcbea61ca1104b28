import Crypto
import Foundation

/// Computes every signature scheme of SPEC §4 over the exact body bytes sent.
///
/// ```swift
/// let headers = Signer.headers(body: body, secrets: ["whsec_…"], messageID: "msg_…",
///                              timestamp: 1_795_514_400, hubSignature: false)
/// // X-Soteri-Signature, webhook-id, webhook-timestamp, webhook-signature
/// ```
public enum Signer {
    /// `X-Soteri-Signature`: base64 HMAC-SHA256 per secret (key = the secret's UTF-8 bytes),
    /// comma-delimited, in the stored order.
    public static func soteriSignature(body: [UInt8], secrets: [String]) -> String {
        secrets.map { secret in
            Data(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8))))
                .base64EncodedString()
        }.joined(separator: ",")
    }

    /// `webhook-signature` (Standard Webhooks): `v1,<base64>` per secret, space-separated, over
    /// `{id}.{timestamp}.{body}`.
    public static func standardSignature(messageID: String, timestamp: Int64, body: [UInt8], secrets: [String])
        -> String
    {
        let signed = Array("\(messageID).\(timestamp).".utf8) + body
        return secrets.map { secret in
            let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: standardKey(secret)))
            return "v1," + Data(mac).base64EncodedString()
        }.joined(separator: " ")
    }

    /// `X-Hub-Signature-256` (and `X-Hub-Signature`): `sha256=<hex>` with the first secret.
    public static func hubSignature(body: [UInt8], secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + Hex.encode(mac)
    }

    /// The Standard Webhooks key of a secret: the base64-decoded remainder of a `whsec_` secret,
    /// else the secret's UTF-8 bytes.
    public static func standardKey(_ secret: String) -> Data {
        if secret.hasPrefix("whsec_"), let decoded = Data(base64Encoded: String(secret.dropFirst(6))) {
            return decoded
        }
        return Data(secret.utf8)
    }

    /// The signature headers for one attempt; empty when the webhook has no secrets.
    public static func headers(
        body: [UInt8], secrets: [String], messageID: String, timestamp: Int64, hubSignature: Bool
    ) -> [(name: String, value: String)] {
        guard let first = secrets.first else { return [] }
        var headers: [(name: String, value: String)] = [
            ("X-Soteri-Signature", soteriSignature(body: body, secrets: secrets)),
            ("webhook-id", messageID),
            ("webhook-timestamp", String(timestamp)),
            (
                "webhook-signature",
                standardSignature(messageID: messageID, timestamp: timestamp, body: body, secrets: secrets)
            ),
        ]
        if hubSignature {
            // The same value under both names: GitHub receivers read the first, Bitbucket and
            // Jira ones the second.
            let signature = self.hubSignature(body: body, secret: first)
            headers += [("X-Hub-Signature-256", signature), ("X-Hub-Signature", signature)]
        }
        return headers
    }

    /// Names of the headers the relay signs with; operators may not set them.
    public static let headerNames = [
        "X-Soteri-Signature", "webhook-id", "webhook-timestamp", "webhook-signature", "X-Hub-Signature-256",
        "X-Hub-Signature",
    ]
}
