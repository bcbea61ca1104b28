import Foundation

/// The rules a webhook destination URL must meet (SPEC §3.1), checked wherever a URL enters the
/// relay and again before every connect.
///
/// ```swift
/// DestinationURL.problem("https://hooks.example.com/in")  // nil
/// DestinationURL.problem("http://example.com/")          // "only https is allowed"
/// ```
public enum DestinationURL {
    /// Most characters a destination URL may have.
    public static let maxLength = 2048

    /// The rule `text` breaks, in words for the operator, or `nil` when it is an acceptable destination.
    public static func problem(_ text: String) -> String? {
        guard !text.isEmpty, text.utf8.count <= maxLength else { return "must be 1 to \(maxLength) characters" }
        if text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) {
            return "may not contain whitespace or control characters"
        }
        guard let schemeEnd = text.range(of: "://") else { return "must be an absolute https URL" }
        guard text[..<schemeEnd.lowerBound].lowercased() == "https" else { return "only https is allowed" }
        let rest = text[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" && $0 != "\\" }
        if authority.contains("@") { return "userinfo is not allowed; use the authorization header instead" }
        let (host, port) = splitHostPort(String(authority))
        if let port {
            guard let number = Int(port), (1...65535).contains(number), port.allSatisfy(\.isASCII) else {
                return "the port must be a number from 1 to 65535"
            }
        }
        guard !host.isEmpty else { return "a host is required" }
        if host.hasPrefix("[") { return "the host may not be an IP address" }
        guard let decoded = host.removingPercentEncoding else { return "the host is not a valid name" }
        let lowered = decoded.lowercased()
        if lowered.unicodeScalars.contains(where: { forbiddenHostScalars.contains($0) }) {
            return "the host is not a valid name"
        }
        if endsInNumber(lowered) { return "the host may not be an IP address" }
        return nil
    }

    private static let forbiddenHostScalars = Set("\0\t\n\r #/:<>?@[\\]^|%".unicodeScalars)

    private static func splitHostPort(_ authority: String) -> (String, String?) {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            let host = String(authority[...close])
            let after = authority[authority.index(after: close)...]
            return after.hasPrefix(":")
                ? (host, String(after.dropFirst())) : (host, after.isEmpty ? nil : String(after))
        }
        guard let colon = authority.lastIndex(of: ":") else { return (authority, nil) }
        return (String(authority[..<colon]), String(authority[authority.index(after: colon)...]))
    }

    /// WHATWG URL "ends in a number": such a host is parsed as an IPv4 address by browsers and
    /// resolvers (`127.1`, `2130706433`, `0x7f.1`, `10.0.0.1.`).
    private static func endsInNumber(_ host: String) -> Bool {
        var labels = host.split(separator: ".", omittingEmptySubsequences: false)
        if labels.last == "" { labels.removeLast() }
        guard let last = labels.last, !last.isEmpty else { return false }
        if last.allSatisfy({ $0.isASCII && $0.isNumber }) { return true }
        let lower = last.lowercased()
        guard lower.hasPrefix("0x") else { return false }
        return lower.dropFirst(2).allSatisfy(\.isHexDigit)
    }
}
