import Foundation

/// Unguessable values: 32 bytes from the system's cryptographic generator.
enum RandomText {
    /// 32 random bytes.
    static func bytes() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// For cookies, form tokens and OAuth states: base64url without padding (43 characters).
    static func make() -> String {
        Data(bytes()).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
