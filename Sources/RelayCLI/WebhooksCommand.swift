import ArgumentParser
import Foundation
import RelayCore

/// `auditrelay webhooks list|show|add|update|remove|test|resume`.
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks", abstract: "Manage webhooks on a running relay.",
        subcommands: [List.self, Show.self, Add.self, Update.self, Remove.self, Test.self, Resume.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List webhooks.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let answer = try await options.client.call(.get, "/v1/webhooks") as? [String: Any]
            let webhooks = answer?["webhooks"] as? [[String: Any]] ?? []
            try options.output(answer) {
                let rows = webhooks.map { webhook in
                    ["id", "name", "kind", "state"].map { webhook[$0] as? String ?? "" }
                        + [
                            (webhook["events"] as? [String] ?? []).joined(separator: ","),
                            webhook["url"] as? String ?? "",
                        ]
                }
                print(TableFormatter.render(header: ["ID", "NAME", "KIND", "STATE", "EVENTS", "URL"], rows: rows))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one webhook.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The webhook's id.") var id: String

        func run() async throws {
            let webhook = try await options.client.call(.get, "/v1/webhooks/\(id)")
            try options.output(webhook) { WebhookPrinter.print(webhook) }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a webhook.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var fields: WebhookFields

        func run() async throws {
            let webhook = try await options.client.call(.post, "/v1/webhooks", json: try fields.body(creating: true))
            try options.output(webhook) { WebhookPrinter.print(webhook) }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change some fields of a webhook.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The webhook's id.") var id: String
        @OptionGroup var fields: WebhookFields

        func run() async throws {
            let webhook = try await options.client.call(
                .patch, "/v1/webhooks/\(id)", json: try fields.body(creating: false))
            try options.output(webhook) { WebhookPrinter.print(webhook) }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a webhook and its queued messages.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The webhook's id.") var id: String

        func run() async throws {
            _ = try await options.client.call(.delete, "/v1/webhooks/\(id)")
            try options.output(["removed": id]) { print("removed \(id)") }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a synthetic auditrelay.test event now.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The webhook's id.") var id: String

        func run() async throws {
            let result = try await options.client.call(.post, "/v1/webhooks/\(id)/test") as? [String: Any] ?? [:]
            try options.output(result) {
                let status = (result["httpStatus"] as? Int).map(String.init) ?? "-"
                let detail = (result["error"] as? String).map { "  \($0)" } ?? ""
                print(
                    "\(result["outcome"] as? String ?? "?")  \(status)  \(result["durationMs"] as? Int ?? 0)ms\(detail)"
                )
            }
            guard result["outcome"] as? String == "delivered" else {
                throw CommandFailure("the test event was not delivered (\(result["outcome"] as? String ?? "?"))")
            }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused or disabled webhook.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The webhook's id.") var id: String

        func run() async throws {
            let webhook = try await options.client.call(.post, "/v1/webhooks/\(id)/resume")
            try options.output(webhook) { WebhookPrinter.print(webhook) }
        }
    }
}

/// The webhook fields `add` and `update` take as options.
struct WebhookFields: ParsableArguments {
    @Option(help: "Unique name.") var name: String?
    @Option(help: "Where it delivers.") var kind: WebhookKind?
    @Option(help: "Destination https URL.") var url: String?
    @Option(name: .customLong("event"), help: "Event-type subscription: a type, prefix.* or * (repeat).")
    var events: [String] = []
    @Option(help: "How a custom webhook's body is laid out.") var format: MessageFormat?
    @Option(name: .customLong("secret"), help: "Signing secret (repeat; replaces the list on update).")
    var secrets: [String] = []
    @Option(help: "Authorization header value, e.g. 'Splunk <token>'.") var authorization: String?
    @Flag(help: "Remove the authorization value (update).") var clearAuthorization = false
    @Option(name: .customLong("header"), help: "Extra header 'Name: value' (repeat; replaces all on update).")
    var headers: [String] = []
    @Flag(help: "Switch the webhook on (update).") var enable = false
    @Flag(help: "Switch the webhook off: it is disabled and gets no new messages.") var disable = false
    @Flag(help: "Allow destinations on private networks.") var allowPrivateNetwork = false
    @Flag(help: "Also send X-Hub-Signature-256.") var hubSignature = false
    @Option(help: "Most events in one request (turns batching on; the batch options replace the whole setting).")
    var batchMaxEvents: Int?
    @Option(help: "Largest request body in bytes when batching.") var batchMaxBytes: Int?
    @Option(help: "How long a due event waits for its batch to fill, e.g. 500ms or 2s.") var batchMaxWait: String?
    @Flag(help: "Send one event per request again (update).") var noBatch = false
    @Option(help: "Splunk HEC source (format splunk-hec).") var splunkSource: String?
    @Option(help: "Splunk HEC sourcetype.") var splunkSourcetype: String?
    @Option(help: "Splunk HEC index.") var splunkIndex: String?
    @Option(help: "Splunk HEC host.") var splunkHost: String?
    @Option(help: "OAuth 2.0 client-credentials token URL (e.g. for Microsoft Sentinel).") var oauthTokenUrl: String?
    @Option(help: "OAuth 2.0 client id.") var oauthClientId: String?
    @Option(help: "OAuth 2.0 client secret (kept on update when left out).") var oauthClientSecret: String?
    @Option(help: "OAuth 2.0 scope, e.g. https://monitor.azure.com//.default.") var oauthScope: String?
    @Flag(help: "Remove the OAuth settings (update).") var clearAuth = false
    @Option(help: "PEM file with the TLS client certificate (and its chain) to present to the destination.")
    var clientCertificate: String?
    @Option(help: "PEM file with the client certificate's unencrypted private key (sent once, never shown).")
    var clientKey: String?
    @Flag(help: "Remove the client certificate and its key (update).") var clearClientCertificate = false

    /// The JSON body; on update only what was given.
    func body(creating: Bool) throws -> [String: Any] {
        var body: [String: Any] = [:]
        body["name"] = name
        body["kind"] = kind?.rawValue
        body["url"] = url
        body["format"] = format?.rawValue
        body["authorization"] = authorization
        if clearAuthorization { body["authorization"] = NSNull() }
        if !events.isEmpty { body["events"] = events }
        if !secrets.isEmpty { body["secrets"] = secrets }
        if !headers.isEmpty { body["headers"] = try HeaderArguments.parse(headers, option: "--header") }
        if enable && disable { throw CommandFailure("give --enable or --disable, not both") }
        if enable || disable { body["enabled"] = enable }
        if allowPrivateNetwork { body["allowPrivateNetwork"] = true }
        if hubSignature { body["hubSignature"] = true }
        try addDeliveryOptions(to: &body)
        try addClientCertificate(to: &body)
        if !creating && body.isEmpty { throw CommandFailure("nothing to update: give at least one field option") }
        return body
    }

    /// `batch`, `splunk` and `auth` from their options; a group is sent whole when any of its
    /// options is given.
    private func addDeliveryOptions(to body: inout [String: Any]) throws {
        let batch: [String: Any?] = ["maxEvents": batchMaxEvents, "maxBytes": batchMaxBytes, "maxWait": batchMaxWait]
        if noBatch && batch.values.contains(where: { $0 != nil }) {
            throw CommandFailure("give --no-batch or batch options, not both")
        }
        if noBatch { body["batch"] = NSNull() } else if let object = Self.object(batch) { body["batch"] = object }
        let splunk: [String: Any?] = [
            "source": splunkSource, "sourcetype": splunkSourcetype, "index": splunkIndex, "host": splunkHost,
        ]
        if let object = Self.object(splunk) { body["splunk"] = object }
        let auth: [String: Any?] = [
            "tokenUrl": oauthTokenUrl, "clientId": oauthClientId, "clientSecret": oauthClientSecret,
            "scope": oauthScope,
        ]
        if clearAuth && auth.values.contains(where: { $0 != nil }) {
            throw CommandFailure("give --clear-auth or OAuth options, not both")
        }
        if clearAuth {
            body["auth"] = NSNull()
        } else if var object = Self.object(auth) {
            object["type"] = "oauth2-client-credentials"
            body["auth"] = object
        }
    }

    /// `clientCertificate` and `clientKey`, read from the files the options name.
    private func addClientCertificate(to body: inout [String: Any]) throws {
        if clearClientCertificate && (clientCertificate != nil || clientKey != nil) {
            throw CommandFailure("give --clear-client-certificate or --client-certificate/--client-key, not both")
        }
        if clearClientCertificate { body["clientCertificate"] = NSNull() }
        for (member, option, file) in [
            ("clientCertificate", "--client-certificate", clientCertificate), ("clientKey", "--client-key", clientKey),
        ] {
            guard let file else { continue }
            do {
                body[member] = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw CommandFailure("\(option): cannot read \(file): \(error.localizedDescription)")
            }
        }
    }

    /// The given members, or `nil` when none is.
    private static func object(_ members: [String: Any?]) -> [String: Any]? {
        let given = members.compactMapValues { $0 }
        return given.isEmpty ? nil : given
    }
}

/// Shows a webhook as `key: value` lines.
enum WebhookPrinter {
    static func print(_ value: Any?) {
        Swift.print(render(value))
    }

    static func render(_ value: Any?) -> String {
        guard let webhook = value as? [String: Any] else { return "" }
        var lines: [String] = []
        let order = [
            "id", "name", "kind", "url", "events", "format", "state", "stateReason", "secrets", "authorization",
            "headers", "splunk", "batch", "auth", "clientCertificate", "allowPrivateNetwork", "hubSignature",
            "createdAt", "updatedAt",
        ]
        for key in order where webhook[key] != nil && !(webhook[key] is NSNull) {
            let shown: String
            switch webhook[key] {
            case let list as [String]: shown = list.joined(separator: ", ")
            case let map as [String: String]:
                shown = map.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
            case let flag as Bool: shown = flag ? "true" : "false"
            case let object as [String: Any]:
                shown = object.filter { !($0.value is NSNull) }.sorted { $0.key < $1.key }.map {
                    "\($0.key): \($0.value)"
                }
                .joined(separator: "; ")
            case let other?: shown = "\(other)"
            case nil: shown = ""
            }
            lines.append("\(key): \(shown)")
        }
        return lines.joined(separator: "\n")
    }
}
