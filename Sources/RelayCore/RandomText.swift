import Foundation

/// Unguessable text for cookies, form tokens and OAuth states: 32 bytes from the system's
/// cryptographic generator, base64url without padding (43 characters).
enum RandomText {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
