import Foundation

/// Rules and helpers for signing secrets (SPEC §3.2).
///
/// ```swift
/// let secret = WebhookSecrets.generate()  // "whsec_" + base64 of 32 random bytes
/// WebhookSecrets.mask(secret)             // "whs…"
/// ```
public enum WebhookSecrets {
    /// Most secrets one webhook may have.
    public static let maxCount = 10
    /// Longest secret, in characters.
    public static let maxLength = 256

    /// A new random secret: `whsec_` + base64 of 32 random bytes.
    public static func generate() -> String {
        "whsec_" + Data(RandomText.bytes()).base64EncodedString()
    }

    /// Values shorter than this are masked completely, so the 3-character hint never is the value.
    public static let shortestHinted = 8

    /// A value as reads show it: its first 3 characters followed by `…` (only `…` for a value
    /// shorter than ``shortestHinted``).
    public static func mask(_ value: String) -> String {
        value.count < shortestHinted ? "…" : String(value.prefix(3)) + "…"
    }

    /// Every rule the secret list breaks, for the `secrets` field.
    public static func problems(_ secrets: [String], field: String = "secrets") -> [FieldError] {
        var errors: [FieldError] = []
        if secrets.count > maxCount {
            errors.append(
                FieldError(field: field, reason: "at most \(maxCount) secrets are allowed, got \(secrets.count)"))
        }
        for (index, secret) in secrets.enumerated() {
            if let reason = problem(secret) { errors.append(FieldError(field: "\(field)[\(index)]", reason: reason)) }
        }
        return errors
    }

    /// Why one secret is not acceptable, or `nil`.
    public static func problem(_ secret: String) -> String? {
        guard (1...maxLength).contains(secret.count) else { return "must be 1 to \(maxLength) characters" }
        guard secret.first?.isWhitespace == false, secret.last?.isWhitespace == false else {
            return "may not start or end with a space"
        }
        guard !secret.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            return "may not contain control characters"
        }
        return nil
    }
}
