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
            let list = try await options.client.call(.get, "/v1/webhooks", as: WebhookList.self)
            try options.output(list) {
                let rows = list.webhooks.map { webhook in
                    [
                        webhook.id, webhook.name, webhook.kind.rawValue, webhook.state.rawValue,
                        webhook.events.joined(separator: ","), webhook.url,
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
            let webhook = try await options.client.call(.get, "/v1/webhooks/\(id)", as: WebhookResource.self)
            try options.output(webhook) { WebhookPrinter.print(webhook) }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a webhook.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var fields: WebhookFields

        func run() async throws {
            let webhook = try await options.client.call(
                .post, "/v1/webhooks", json: try fields.request(creating: true), as: WebhookResource.self)
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
                .patch, "/v1/webhooks/\(id)", json: try fields.request(creating: false), as: WebhookResource.self)
            try options.output(webhook) { WebhookPrinter.print(webhook) }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a webhook and its queued messages.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The webhook's id.") var id: String

        func run() async throws {
            try await options.client.send(.delete, "/v1/webhooks/\(id)")
            try options.output(["removed": id]) { print("removed \(id)") }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a synthetic auditrelay.test event now.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The webhook's id.") var id: String

        func run() async throws {
            let result = try await options.client.call(.post, "/v1/webhooks/\(id)/test", as: WebhookTestResult.self)
            try options.output(result) {
                let status = result.httpStatus.map(String.init) ?? "-"
                let detail = result.error.map { "  \($0)" } ?? ""
                print("\(result.outcome.rawValue)  \(status)  \(result.durationMs)ms\(detail)")
            }
            guard result.outcome == .delivered else {
                throw CommandFailure("the test event was not delivered (\(result.outcome.rawValue))")
            }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused or disabled webhook.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The webhook's id.") var id: String

        func run() async throws {
            let webhook = try await options.client.call(.post, "/v1/webhooks/\(id)/resume", as: WebhookResource.self)
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

    /// The request; on update only what was given.
    func request(creating: Bool) throws -> WebhookRequest {
        var request = WebhookRequest(name: name, kind: kind, url: url, events: events.isEmpty ? nil : events)
        request.format = format
        if clearAuthorization && authorization != nil {
            throw CommandFailure("give --authorization or --clear-authorization, not both")
        }
        request.authorization = clearAuthorization ? .clear : authorization.map(Change.set)
        request.secrets = secrets.isEmpty ? nil : secrets
        request.headers = headers.isEmpty ? nil : try HeaderArguments.parse(headers, option: "--header")
        if enable && disable { throw CommandFailure("give --enable or --disable, not both") }
        request.enabled = enable || disable ? enable : nil
        request.allowPrivateNetwork = allowPrivateNetwork ? true : nil
        request.hubSignature = hubSignature ? true : nil
        try addDeliveryOptions(to: &request)
        try addClientCertificate(to: &request)
        if try !creating && JSONEncoder().encode(request) == Data("{}".utf8) {
            throw CommandFailure("nothing to update: give at least one field option")
        }
        return request
    }

    /// `batch`, `splunk` and `auth` from their options; a group is sent whole when any of its
    /// options is given.
    private func addDeliveryOptions(to request: inout WebhookRequest) throws {
        let batching = batchMaxEvents != nil || batchMaxBytes != nil || batchMaxWait != nil
        if noBatch && batching { throw CommandFailure("give --no-batch or batch options, not both") }
        if noBatch {
            request.batch = .clear
        } else if batching {
            request.batch = .set(.init(maxEvents: batchMaxEvents, maxBytes: batchMaxBytes, maxWait: batchMaxWait))
        }
        if [splunkSource, splunkSourcetype, splunkIndex, splunkHost].contains(where: { $0 != nil }) {
            request.splunk = .init(
                source: splunkSource, sourcetype: splunkSourcetype, index: splunkIndex, host: splunkHost)
        }
        let oauth = [oauthTokenUrl, oauthClientId, oauthClientSecret, oauthScope].contains { $0 != nil }
        if clearAuth && oauth { throw CommandFailure("give --clear-auth or OAuth options, not both") }
        if clearAuth {
            request.auth = .clear
        } else if oauth {
            request.auth = .set(
                .init(
                    tokenUrl: oauthTokenUrl, clientId: oauthClientId, clientSecret: oauthClientSecret,
                    scope: oauthScope))
        }
    }

    /// `clientCertificate` and `clientKey`, read from the files the options name.
    private func addClientCertificate(to request: inout WebhookRequest) throws {
        if clearClientCertificate && (clientCertificate != nil || clientKey != nil) {
            throw CommandFailure("give --clear-client-certificate or --client-certificate/--client-key, not both")
        }
        if clearClientCertificate { request.clientCertificate = .clear }
        if let clientCertificate {
            request.clientCertificate = .set(try Self.read(clientCertificate, option: "--client-certificate"))
        }
        if let clientKey { request.clientKey = try Self.read(clientKey, option: "--client-key") }
    }

    /// The text of the file an option names.
    private static func read(_ file: String, option: String) throws -> String {
        do {
            return try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw CommandFailure("\(option): cannot read \(file): \(error.localizedDescription)")
        }
    }
}

/// Shows a webhook as `key: value` lines.
enum WebhookPrinter {
    static func print(_ webhook: WebhookResource) {
        Swift.print(render(webhook))
    }

    static func render(_ webhook: WebhookResource) -> String {
        let members: [(String, String?)] = [
            ("id", webhook.id), ("name", webhook.name), ("kind", webhook.kind.rawValue), ("url", webhook.url),
            ("events", webhook.events.joined(separator: ", ")), ("format", webhook.format??.rawValue),
            ("state", webhook.state.rawValue), ("stateReason", webhook.stateReason),
            ("secrets", webhook.secrets.joined(separator: ", ")), ("authorization", webhook.authorization),
            ("headers", pairs(webhook.headers.map { ($0.key, $0.value) })),
            ("splunk", (webhook.splunk ?? nil).map(describe)), ("batch", (webhook.batch ?? nil).map(describe)),
            ("auth", (webhook.auth ?? nil).map(describe)),
            ("clientCertificate", (webhook.clientCertificate ?? nil).map(describe)),
            ("slack", (webhook.slack ?? nil).map(describe)),
            ("allowPrivateNetwork", String(webhook.allowPrivateNetwork)),
            ("hubSignature", String(webhook.hubSignature)), ("createdAt", webhook.createdAt),
            ("updatedAt", webhook.updatedAt),
        ]
        return members.compactMap { key, shown in shown.map { "\(key): \($0)" } }.joined(separator: "\n")
    }

    /// `name: value` pairs sorted by name, `; `-separated.
    private static func pairs(_ members: [(String, String)]) -> String {
        members.sorted { $0.0 < $1.0 }.map { "\($0.0): \($0.1)" }.joined(separator: "; ")
    }

    private static func describe(_ splunk: SplunkFields) -> String {
        pairs(
            [("source", splunk.source), ("sourcetype", splunk.sourcetype)]
                + present(("index", splunk.index), ("host", splunk.host)))
    }

    private static func describe(_ slack: SlackInstallation) -> String {
        pairs([
            ("team", "\(slack.teamName) (\(slack.teamID))"), ("channel", "\(slack.channel) (\(slack.channelID))"),
            ("configurationURL", slack.configurationURL),
        ])
    }

    private static func describe(_ batch: BatchSettings) -> String {
        pairs([
            ("maxEvents", String(batch.maxEvents)), ("maxBytes", String(batch.maxBytes)),
            ("maxWait", batch.maxWait.description),
        ])
    }

    private static func describe(_ auth: OAuth2ClientCredentials) -> String {
        pairs(
            [("tokenUrl", auth.tokenURL), ("clientId", auth.clientID), ("clientSecret", auth.clientSecret)]
                + present(("scope", auth.scope)))
    }

    private static func describe(_ certificate: ClientCertificateResource) -> String {
        pairs([
            ("subject", certificate.subject), ("notValidAfter", certificate.notValidAfter),
            ("fingerprint", certificate.fingerprint),
        ])
    }

    /// The pairs that have a value.
    private static func present(_ members: (String, String?)...) -> [(String, String)] {
        members.compactMap { name, value in value.map { (name, $0) } }
    }
}
