/// Rules for the `authorization` value and the custom `headers` of a webhook (SPEC §3.2).
///
/// ```swift
/// HeaderRules.authorizationProblem("Splunk 1234")   // nil
/// HeaderRules.headerProblems(["Host": "x"])         // [headers.Host: "is set by the relay …"]
/// ```
public enum HeaderRules {
    /// Most custom headers.
    public static let maxCount = 32
    /// Most bytes of all custom header names and values together.
    public static let maxTotalBytes = 8192

    /// Header names the relay sets itself (compared case-insensitively; `X-AuditRelay-*` too).
    public static let reservedNames: Set<String> = Set(
        (["Host", "Content-Length", "Transfer-Encoding", "Connection", "Authorization"] + Signer.headerNames)
            .map { $0.lowercased() })

    /// Why `value` is not `<auth-scheme> <credentials>`, or `nil`.
    public static func authorizationProblem(_ value: String) -> String? {
        if value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            return "may not contain CR, LF or NUL"
        }
        guard let space = value.firstIndex(of: " ") else {
            return "must be <auth-scheme> <credentials>, e.g. \"Bearer abc…\" or \"Splunk abc…\""
        }
        let scheme = value[..<space]
        let credentials = value[value.index(after: space)...]
        guard isToken(scheme) else { return "the auth scheme must be a token such as Bearer, Basic or Splunk" }
        guard !credentials.isEmpty, !credentials.hasPrefix(" "), !credentials.hasSuffix(" ") else {
            return "must be <auth-scheme>, one space, then non-empty credentials"
        }
        guard credentials.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            return "may not contain control characters"
        }
        return nil
    }

    /// Every rule the custom headers break, field by field.
    public static func headerProblems(_ headers: [String: String]) -> [FieldError] {
        var errors: [FieldError] = []
        if headers.count > maxCount {
            errors.append(
                FieldError(field: "headers", reason: "at most \(maxCount) headers are allowed, got \(headers.count)"))
        }
        let total = headers.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        if total > maxTotalBytes {
            errors.append(FieldError(field: "headers", reason: "at most \(maxTotalBytes) bytes in all, got \(total)"))
        }
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            let field = "headers.\(name)"
            let lowered = name.lowercased()
            if !isToken(Substring(name)) {
                errors.append(
                    FieldError(
                        field: field, reason: "the name must be an HTTP token (letters, digits, !#$%&'*+-.^_`|~)"))
            } else if reservedNames.contains(lowered) || lowered.hasPrefix("x-auditrelay-") {
                errors.append(FieldError(field: field, reason: "is set by the relay and may not be overridden"))
            }
            if value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
                errors.append(FieldError(field: field, reason: "the value may not contain CR, LF or NUL"))
            }
        }
        return errors
    }

    /// RFC 9110 `token`: one or more tchar.
    static func isToken(_ text: Substring) -> Bool {
        !text.isEmpty
            && text.unicodeScalars.allSatisfy { scalar in
                switch scalar {
                case "a"..."z", "A"..."Z", "0"..."9", "!", "#", "$", "%", "&", "'", "*", "+", "-", ".", "^", "_", "`",
                    "|", "~":
                    true
                default: false
                }
            }
    }
}
