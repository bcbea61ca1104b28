import Foundation

/// The HTTP proxy deliveries go through (`delivery.proxy`, or `HTTPS_PROXY` / `NO_PROXY`), read
/// from its URL: `http://[user:password@]proxy.internal:3128`.
///
/// The relay opens a tunnel with `CONNECT host:port` and speaks TLS to the destination inside
/// it, so the proxy sees only the destination's name. The credentials in the URL become the
/// `Proxy-Authorization` header and appear nowhere else: not in ``description``, errors or logs.
///
/// ```swift
/// let proxy = try ProxySettings(url: "http://relay:s3cret@proxy.internal:3128", noProxy: [".corp.example"])
/// proxy.applies(to: "hooks.slack.com")    // true
/// proxy.applies(to: "siem.corp.example")  // false
/// ```
public struct ProxySettings: Sendable, Equatable, CustomStringConvertible {
    /// The proxy's host name or address.
    public let host: String
    /// The proxy's port (80 when the URL names none).
    public let port: Int
    /// `Basic …` from the URL's userinfo, sent with each `CONNECT`; never logged.
    public let authorization: String?
    /// Hosts reached directly: a name matches itself and its subdomains (`example.com` and
    /// `.example.com` both match `api.example.com`); `*` matches every host.
    public let noProxy: [String]

    /// Why a proxy URL is refused; never quotes the URL, which may hold a password.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Reads `url`; throws a ``Problem`` for anything but an `http://` URL with a host.
    public init(url: String, noProxy: [String] = []) throws(Problem) {
        let text = url.contains("://") ? url : "http://" + url
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw Problem(description: "the proxy URL is not a valid URL")
        }
        guard scheme == "http" else {
            throw Problem(description: "the proxy URL must start with http:// (the tunnel to the destination is TLS)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw Problem(description: "the proxy URL needs a host")
        }
        guard components.path.isEmpty || components.path == "/", components.query == nil else {
            throw Problem(description: "the proxy URL may only have a host, a port and credentials")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw Problem(description: "the proxy port must be a number from 1 to 65535")
        }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = components.port ?? 80
        if let user = components.user {
            let credentials = "\(user):\(components.password ?? "")"
            self.authorization = "Basic " + Data(credentials.utf8).base64EncodedString()
        } else {
            self.authorization = nil
        }
        self.noProxy = noProxy.compactMap(Self.normalized)
    }

    /// Whether a request to `host` goes through the proxy.
    public func applies(to host: String) -> Bool {
        let host = host.lowercased()
        return !noProxy.contains { entry in
            entry == "*" || host == entry || host.hasSuffix("." + entry)
        }
    }

    /// `host:port`, without the credentials.
    public var description: String { "\(host):\(port)" }

    /// A `noProxy` entry lower-cased, without a leading dot or a port; `nil` when empty.
    private static func normalized(_ entry: String) -> String? {
        var entry = entry.trimmingCharacters(in: .whitespaces).lowercased()
        if entry.hasPrefix(".") { entry.removeFirst() }
        if let colon = entry.lastIndex(of: ":"), !entry.contains("]"), entry.filter({ $0 == ":" }).count == 1 {
            entry = String(entry[..<colon])
        }
        return entry.isEmpty ? nil : entry
    }
}
