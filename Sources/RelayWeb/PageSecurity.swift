import Foundation
import HTTPTypes
import Hummingbird
import RelayServer

/// What every page answer carries (SPEC §10): a Content-Security-Policy with no inline script and
/// no foreign origin, no framing, no referrer, no caching.
struct PageHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var headers: HTTPFields {
        [
            .contentSecurityPolicy:
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            HTTPField.Name("X-Frame-Options")!: "DENY",
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            .cacheControl: "no-store",
        ]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        for field in Self.headers { response.headers[field.name] = field.value }
        return response
    }
}

/// The session cookie: `__Host-` and `Secure` when the relay serves HTTPS, always `HttpOnly`,
/// `SameSite=Strict` and `Path=/`.
struct SessionCookie {
    let secure: Bool

    var name: String { secure ? "__Host-auditrelay-session" : "auditrelay-session" }

    /// The `Set-Cookie` value that hands `value` to the browser.
    func setting(_ value: String) -> String {
        "\(name)=\(value); Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// The `Set-Cookie` value that removes it.
    var clearing: String {
        "\(name)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// The cookie's value in `request`, if it came.
    func value(in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == name { return String(parts[1]) }
            }
        }
        return nil
    }
}

/// Whether a form post comes from the page itself. A browser's `Sec-Fetch-Site` decides when it
/// is sent (`same-origin`, or `none` for what the user did); without it, an `Origin` must name
/// this host. (With `Referrer-Policy: no-referrer` Chromium sends `Origin: null` on the page's own
/// posts, so `Sec-Fetch-Site` is what tells them apart.) Together with the session's form token
/// this refuses cross-site requests.
func isSameOrigin(_ request: Request) -> Bool {
    if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!] {
        return ["same-origin", "none"].contains(site)
    }
    guard let origin = request.headers[HTTPField.Name("Origin")!] else { return true }
    guard let host = request.head.authority else { return false }
    let originHost = origin.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first
    return originHost.map(String.init) == host
}
