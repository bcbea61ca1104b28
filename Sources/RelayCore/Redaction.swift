import Foundation

/// How values that grant access are shown: masked secrets and authorization, Slack URLs
/// without their secret path.
///
/// ```swift
/// Redaction.url("https://hooks.slack.com/services/T0001/B0002/XXXXXXXX", kind: .slack)
/// // "https://hooks.slack.com/services/T…/B…/•••"
/// ```
public enum Redaction {
    /// A destination URL as reads and logs show it: Slack incoming-webhook paths are secret.
    public static func url(_ url: String, kind: WebhookKind) -> String {
        guard kind == .slack, let schemeEnd = url.range(of: "://") else { return url }
        let afterScheme = url[schemeEnd.upperBound...]
        guard let slash = afterScheme.firstIndex(of: "/") else { return url }
        let prefix = url[..<slash]
        let segments = afterScheme[slash...].split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard let services = segments.firstIndex(of: "services") else { return String(prefix) + "/•••" }
        var shown = Array(segments[..<services]) + ["services"]
        let secret = segments[segments.index(after: services)...]
        for (offset, segment) in secret.enumerated() {
            shown.append(offset < 2 && !segment.isEmpty ? Substring(String(segment.prefix(1)) + "…") : "•••")
            if offset >= 2 { break }
        }
        return String(prefix) + "/" + shown.joined(separator: "/")
    }
}
