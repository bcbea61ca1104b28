import Foundation

/// A webhook destination that meets the URL rules of SPEC §3.1, checked wherever a URL enters
/// the relay (configuration, API, CLI) and again before every connect.
///
/// The host is read the way a WHATWG URL parser and `getaddrinfo` would read it, so no spelling
/// of an IP address gets through: percent-encoding, IDNA compatibility forms (full-width digits
/// and dots), the IPv4 number forms `127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1`, trailing
/// dots, and bracketed IPv6 with or without a zone.
///
/// ```swift
/// let destination = try DestinationURL(validating: "https://hooks.example.com/in")
/// DestinationURL.problem("http://example.com/")  // "only https is allowed"
/// ```
public struct DestinationURL: Sendable, Equatable {
    /// The URL as given.
    public let text: String
    /// The host name, lower-cased, without a trailing dot.
    public let host: String
    /// The port connected to.
    public let port: Int
    /// The path and query as the request line sends them (`/services/collector?channel=1`), `/` when empty.
    public let requestTarget: String
    /// The `Host` header's value: the host, and the port when it is not 443 (made once: every
    /// request to the destination sends it).
    public let hostHeader: String

    /// Most characters a destination URL may have.
    public static let maxLength = 2048

    /// The rule broken, in the words an operator sees in the API, the page and the CLI.
    public enum Refusal: String, Error, Sendable, CaseIterable {
        case length = "must be 1 to 2048 characters"
        case whitespace = "may not contain whitespace or control characters"
        case backslash = "may not contain backslashes"
        case notAbsolute = "must be an absolute https URL"
        case scheme = "only https is allowed"
        case userinfo = "userinfo is not allowed; use the authorization header instead"
        case port = "the port must be a number from 1 to 65535"
        case missingHost = "a host is required"
        case ipAddress = "the host may not be an IP address"
        case invalidHost = "the host is not a valid name"
        case nonASCIIHost = "the host must be ASCII; write an international name in its punycode (xn--) form"
    }

    /// Checks `text` against every rule.
    public init(validating text: String) throws(Refusal) {
        guard !text.isEmpty, text.unicodeScalars.count <= Self.maxLength else { throw .length }
        if text.unicodeScalars.contains(where: {
            $0.properties.isWhitespace || $0.properties.generalCategory == .control
        }) {
            throw .whitespace
        }
        if text.contains("\\") { throw .backslash }
        guard let schemeEnd = text.range(of: "://") else {
            throw text.lowercased().hasPrefix("https:") || !text.contains(":") ? .notAbsolute : .scheme
        }
        guard text[..<schemeEnd.lowerBound].lowercased() == "https" else { throw .scheme }
        let afterScheme = text[schemeEnd.upperBound...]
        let authority = String(afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" })
        if authority.contains("@") { throw .userinfo }
        if authority.hasPrefix("[") || Self.isBareIPv6(authority) { throw .ipAddress }
        let (rawHost, rawPort) = Self.splitHostPort(authority)
        let port: Int
        if let rawPort, !rawPort.isEmpty {
            guard rawPort.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let number = Int(rawPort),
                (1...65535).contains(number)
            else { throw .port }
            port = number
        } else {
            port = 443
        }
        guard !rawHost.isEmpty else { throw .missingHost }
        if rawHost.hasPrefix("[") || rawHost.hasSuffix("]") || rawHost.contains(":") { throw .ipAddress }
        let host = try Self.readHost(rawHost)
        guard let parsed = URL(string: text), parsed.scheme?.lowercased() == "https", parsed.user == nil,
            parsed.password == nil, parsed.host?.lowercased().trimmingSuffix(".") == host
        else { throw .invalidHost }
        self.text = text
        self.host = host
        self.port = port
        let pathAndQuery = afterScheme.dropFirst(authority.count).prefix { $0 != "#" }
        self.requestTarget = pathAndQuery.hasPrefix("/") ? String(pathAndQuery) : "/" + pathAndQuery
        self.hostHeader = port == 443 ? host : "\(host):\(port)"
    }

    /// The rule `text` breaks, or `nil` when it is an acceptable destination.
    public static func problem(_ text: String) -> String? {
        do {
            _ = try DestinationURL(validating: text)
            return nil
        } catch {
            return error.rawValue
        }
    }

    private static func splitHostPort(_ authority: String) -> (String, String?) {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            let after = authority[authority.index(after: close)...]
            return (String(authority[...close]), after.hasPrefix(":") ? String(after.dropFirst()) : nil)
        }
        guard let colon = authority.firstIndex(of: ":") else { return (authority, nil) }
        return (String(authority[..<colon]), String(authority[authority.index(after: colon)...]))
    }

    /// Whether an authority without brackets is an IPv6 literal (`::1`, `fe80::1:443`): two or
    /// more colons and nothing but hex digits, colons and dots.
    private static func isBareIPv6(_ authority: String) -> Bool {
        authority.filter { $0 == ":" }.count >= 2
            && authority.allSatisfy { $0 == ":" || $0 == "." || ($0.isASCII && $0.isHexDigit) }
    }

    /// The host as a resolver would see it: percent-decoded, IDNA-mapped (NFKC, lower case,
    /// ideographic dots), then refused when it is an IP address, not ASCII, or not a name.
    private static func readHost(_ raw: String) throws(Refusal) -> String {
        guard let decoded = raw.removingPercentEncoding else { throw .invalidHost }
        var mapped = decoded.precomposedStringWithCompatibilityMapping.lowercased()
        for dot in ["\u{3002}", "\u{FF0E}", "\u{FF61}"] { mapped = mapped.replacingOccurrences(of: dot, with: ".") }
        if mapped.contains(":") || mapped.hasPrefix("[") || endsInNumber(mapped) { throw .ipAddress }
        guard decoded.unicodeScalars.allSatisfy(\.isASCII) else { throw .nonASCIIHost }
        guard decoded == raw else { throw .invalidHost }
        let host = mapped.trimmingSuffix(".")
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        let validLabels = labels.allSatisfy { label in
            (1...63).contains(label.count) && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy {
                    $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
                }
        }
        guard !host.isEmpty, host.count <= 253, validLabels else { throw .invalidHost }
        return host
    }

    /// WHATWG URL "ends in a number": such a host is parsed as an IPv4 address.
    private static func endsInNumber(_ host: String) -> Bool {
        var labels = host.split(separator: ".", omittingEmptySubsequences: false)
        if labels.last == "" { labels.removeLast() }
        guard let last = labels.last, !last.isEmpty else { return false }
        if last.allSatisfy({ $0.isASCII && $0.isNumber }) { return true }
        guard last.hasPrefix("0x") else { return false }
        return last.dropFirst(2).allSatisfy { $0.isASCII && $0.isHexDigit }
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
