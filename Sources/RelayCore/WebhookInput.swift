import Foundation

/// Reads a webhook's fields from a decoded JSON object (an API request body), refusing unknown
/// members and wrong types field by field, so every problem is reported at once.
///
/// ```swift
/// let spec = try WebhookInput.create(from: json)             // POST /v1/webhooks
/// let updated = try WebhookInput.update(webhook, with: json) // PATCH /v1/webhooks/{id}
/// ```
public enum WebhookInput {
    /// Members a request may carry.
    public static let fields: Set<String> = [
        "name", "kind", "url", "events", "format", "secrets", "authorization", "headers", "enabled",
        "allowPrivateNetwork", "hubSignature", "splunk", "batch", "auth", "clientCertificate", "clientKey",
    ]

    /// A new webhook's spec from a create request; `name` (Slack: defaulted), `url` and `events` are required.
    public static func create(from json: [String: JSONValue]) throws(RelayProblem) -> WebhookSpec {
        var reader = Reader(json: json)
        let kind = reader.enumValue("kind", WebhookKind.self) ?? .custom
        let url = reader.string("url", required: true) ?? ""
        let name = reader.string("name") ?? (kind == .slack ? slackName(url) : nil)
        if name == nil { reader.errors.append(FieldError(field: "name", reason: "is required")) }
        let events = reader.patterns(required: true) ?? []
        var spec = WebhookSpec(name: name ?? "", kind: kind, url: url, events: events)
        reader.apply(to: &spec)
        try reader.finish(spec)
        return spec
    }

    /// `webhook` with the members present in `json` changed; `null` clears `authorization`,
    /// `splunk`, `batch` and `auth`. `auth` members left out keep their current values, so a read
    /// (which masks the client secret) can be edited and sent back — except that a new `tokenUrl`
    /// needs the `clientSecret` sent again, so the secret never follows a URL it was not given for.
    public static func update(_ webhook: Webhook, with json: [String: JSONValue]) throws(RelayProblem) -> WebhookSpec {
        var json = json
        if case .object(let auth) = json["auth"], let current = webhook.auth {
            json["auth"] = .object(merged(auth, over: current))
        }
        var reader = Reader(json: json)
        var spec = WebhookSpec(
            name: reader.string("name") ?? webhook.name,
            kind: reader.enumValue("kind", WebhookKind.self) ?? webhook.kind,
            url: reader.string("url") ?? webhook.url, events: reader.patterns(required: false) ?? webhook.events,
            format: webhook.format, secrets: webhook.secrets, authorization: webhook.authorization,
            headers: webhook.headers, enabled: webhook.enabled, allowPrivateNetwork: webhook.allowPrivateNetwork,
            hubSignature: webhook.hubSignature, splunk: webhook.splunk, batch: webhook.batch, auth: webhook.auth,
            clientCertificate: webhook.clientCertificate)
        if spec.kind == .slack, webhook.kind == .custom, json["format"] == nil { spec.format = nil }
        reader.apply(to: &spec)
        try reader.finish(spec)
        return spec
    }

    /// `auth` members from a PATCH over the current credentials.
    private static func merged(_ auth: [String: JSONValue], over current: OAuth2ClientCredentials) -> [String:
        JSONValue]
    {
        var merged = auth
        // A secret sent back as a read showed it (masked) means "unchanged".
        if merged["clientSecret"] == .string(WebhookSecrets.mask(current.clientSecret)) { merged["clientSecret"] = nil }
        let tokenURLChanged = auth["tokenUrl"].map { $0 != .string(current.tokenURL) } ?? false
        let kept: [(String, String?)] = [
            ("type", OAuth2ClientCredentials.type), ("tokenUrl", current.tokenURL), ("clientId", current.clientID),
            ("clientSecret", tokenURLChanged ? nil : current.clientSecret), ("scope", current.scope),
        ]
        for case (let key, let value?) in kept where merged[key] == nil {
            merged[key] = .string(value)
        }
        return merged
    }

    /// The default name of a Slack webhook added by its URL. An incoming-webhook URL does not carry
    /// the channel or workspace names (an OAuth install names it `#channel (workspace)` instead),
    /// so the default is `slack (<workspace id>)` from the URL's `T…` segment.
    static func slackName(_ url: String) -> String {
        let segments = url.split(separator: "/")
        if let index = segments.firstIndex(of: "services"), index + 1 < segments.count {
            return "slack (\(segments[index + 1]))"
        }
        return "slack"
    }

    private struct Reader {
        let json: [String: JSONValue]
        var errors: [FieldError] = []

        init(json: [String: JSONValue]) {
            self.json = json
            errors = FieldError.unknownMembers(of: json, known: WebhookInput.fields, reason: "is not a webhook field")
        }

        mutating func string(_ key: String, required: Bool = false) -> String? {
            guard let value = json[key] else {
                if required { errors.append(FieldError(field: key, reason: "is required")) }
                return nil
            }
            guard case .string(let text) = value else {
                errors.append(FieldError(field: key, reason: "must be a string"))
                return nil
            }
            return text
        }

        mutating func bool(_ key: String) -> Bool? {
            guard let value = json[key] else { return nil }
            guard case .bool(let flag) = value else {
                errors.append(FieldError(field: key, reason: "must be true or false"))
                return nil
            }
            return flag
        }

        mutating func enumValue<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) -> T?
        where T.RawValue == String {
            guard let text = string(key) else { return nil }
            guard let value = T(rawValue: text) else {
                let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
                errors.append(FieldError(field: key, reason: "must be one of \(allowed)"))
                return nil
            }
            return value
        }

        mutating func strings(_ key: String) -> [String]? {
            guard let value = json[key] else { return nil }
            guard case .array(let list) = value, case let texts = list.compactMap(\.string), texts.count == list.count
            else {
                errors.append(FieldError(field: key, reason: "must be an array of strings"))
                return nil
            }
            return texts
        }

        mutating func patterns(required: Bool) -> [EventTypePattern]? {
            guard let texts = strings("events") else {
                if required && json["events"] == nil {
                    errors.append(FieldError(field: "events", reason: "is required"))
                }
                return nil
            }
            var patterns: [EventTypePattern] = []
            for (index, text) in texts.enumerated() {
                do {
                    patterns.append(try EventTypePattern(parsing: text))
                } catch {
                    let reason = error.errors.first?.reason ?? "is not a valid event type pattern"
                    errors.append(FieldError(field: "events[\(index)]", reason: reason))
                }
            }
            return patterns
        }

        /// The optional members, applied over `spec`.
        mutating func apply(to spec: inout WebhookSpec) {
            if let format = enumValue("format", MessageFormat.self) { spec.format = format }
            if let secrets = strings("secrets") { spec.secrets = secrets }
            if json["authorization"] == .null {
                spec.authorization = nil
            } else if let authorization = string("authorization") {
                spec.authorization = authorization
            }
            if let headers = json["headers"] {
                if case .object(let map) = headers, case let texts = map.compactMapValues(\.string),
                    texts.count == map.count
                {
                    spec.headers = texts
                } else {
                    errors.append(FieldError(field: "headers", reason: "must be an object of string values"))
                }
            }
            if let enabled = bool("enabled") { spec.enabled = enabled }
            if let allow = bool("allowPrivateNetwork") { spec.allowPrivateNetwork = allow }
            if let hub = bool("hubSignature") { spec.hubSignature = hub }
            if let splunk = object("splunk", SplunkFields.self) { spec.splunk = splunk }
            if let batch = object("batch", BatchSettings.self) { spec.batch = batch }
            if let auth = object("auth", OAuth2ClientCredentials.self) { spec.auth = auth }
            applyClientCertificate(to: &spec)
        }

        /// `clientCertificate` and `clientKey`: `null` certificate removes both; either one alone
        /// is paired with the other one the webhook already has (a renewed certificate for the
        /// same key), and the pair must belong together.
        mutating func applyClientCertificate(to spec: inout WebhookSpec) {
            if json["clientCertificate"] == .null {
                if json["clientKey"].map({ $0 != .null }) ?? false {
                    errors.append(FieldError(field: "clientKey", reason: "cannot be set without clientCertificate"))
                }
                spec.clientCertificate = nil
                return
            }
            if json["clientKey"] == .null {
                errors.append(FieldError(field: "clientKey", reason: "is removed with clientCertificate: null"))
                return
            }
            let certificate = string("clientCertificate")
            let key = string("clientKey")
            guard certificate != nil || key != nil else { return }
            let current = spec.clientCertificate
            guard let certificate = certificate ?? current?.certificatePEM else {
                errors.append(FieldError(field: "clientCertificate", reason: "is required with clientKey"))
                return
            }
            guard let key = key ?? current?.keyPEM else {
                errors.append(FieldError(field: "clientKey", reason: "is required with clientCertificate"))
                return
            }
            do {
                spec.clientCertificate = try ClientCertificate(certificatePEM: certificate, keyPEM: key)
            } catch {
                errors.append(error)
            }
        }

        /// A nested object member read with `T`'s strict decoding: `.some(nil)` for `null`, `nil`
        /// when absent or wrong (the reason is recorded under `key.member`).
        mutating func object<T: Decodable>(_ key: String, _ type: T.Type) -> T?? {
            guard let value = json[key] else { return nil }
            if value == .null { return .some(nil) }
            guard case .object = value else {
                errors.append(FieldError(field: key, reason: "must be an object or null"))
                return nil
            }
            do {
                return try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
            } catch let DecodingError.keyNotFound(member, _) {
                errors.append(FieldError(field: "\(key).\(member.stringValue)", reason: "is required"))
            } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
                errors.append(FieldError(field: Self.path(key, context), reason: "has the wrong type"))
            } catch let DecodingError.dataCorrupted(context) {
                errors.append(FieldError(field: Self.path(key, context), reason: context.debugDescription))
            } catch {
                errors.append(FieldError(field: key, reason: "is not valid"))
            }
            return nil
        }

        private static func path(_ key: String, _ context: DecodingError.Context) -> String {
            ([key] + context.codingPath.map(\.stringValue)).joined(separator: ".")
        }

        func finish(_ spec: WebhookSpec) throws(RelayProblem) {
            let all = errors + (errors.isEmpty ? spec.problems() : [])
            guard all.isEmpty else { throw .invalid(all) }
        }
    }
}
