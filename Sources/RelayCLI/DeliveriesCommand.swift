import ArgumentParser
import Foundation
import RelayCore

/// `auditrelay deliveries list|tail|retry|replay`.
struct DeliveriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliveries", abstract: "The delivery log: every attempt, live.",
        subcommands: [List.self, Tail.self, Retry.self, Replay.self])

    /// Filters shared by `list` and `tail`.
    struct Filters: ParsableArguments {
        @Option(help: "Only this webhook (id or name).") var webhook: String?
        @Option(help: "Only this outcome.") var status: AttemptOutcome?
        @Option(help: "Only this event type.") var type: String?
        @Option(help: "Only this event id.") var event: String?

        var queryItems: [URLQueryItem] {
            [("webhook", webhook), ("status", status?.rawValue), ("type", type), ("event", event)].compactMap {
                name, value in
                value.map { URLQueryItem(name: name, value: $0) }
            }
        }

        func path(_ base: String, extra: [URLQueryItem] = []) -> String {
            var components = URLComponents()
            components.path = base
            let items = queryItems + extra
            components.queryItems = items.isEmpty ? nil : items
            return components.string ?? base
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List attempts, newest first.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var filters: Filters
        @Option(help: "How many.") var limit = 50

        func run() async throws {
            let page = try await options.client.call(
                .get, filters.path("/v1/deliveries", extra: [URLQueryItem(name: "limit", value: String(limit))]),
                as: DeliveryPage.self)
            try options.output(page) {
                let printer = AttemptLine(colored: false, filters: filters)
                for attempt in page.deliveries { print(printer.render(attempt)) }
            }
        }
    }

    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the latest attempts; with --follow, keep printing new ones as they happen.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var filters: Filters
        @Flag(name: .shortAndLong, help: "Keep following, reconnecting when the stream drops.") var follow = false
        @Option(help: "How many recent attempts to show first.") var lines = 20

        func run() async throws {
            let page = try await options.client.call(
                .get, filters.path("/v1/deliveries", extra: [URLQueryItem(name: "limit", value: String(lines))]),
                as: DeliveryPage.self)
            let recent = page.deliveries.reversed()
            let printer = AttemptLine(colored: !options.json && isatty(STDOUT_FILENO) == 1, filters: filters)
            for attempt in recent { try emit(attempt, printer) }
            guard follow else { return }
            var lastID = recent.last?.id
            if lastID == nil {
                lastID = try? await options.client.call(.get, "/v1/deliveries?limit=1", as: DeliveryPage.self)
                    .deliveries.first?.id
            }
            while !Task.isCancelled {
                do {
                    try await options.client.stream(filters.path("/v1/deliveries/stream"), lastEventID: lastID) {
                        id, data in
                        guard let attempt = try? JSONDecoder().decode(AttemptResource.self, from: Data(data.utf8))
                        else { return }
                        try emit(attempt, printer)
                        lastID = id ?? lastID
                    }
                } catch let failure as CommandFailure where failure.description.hasPrefix("4") {
                    throw failure
                } catch {
                    FileHandle.standardError.write(Data("stream interrupted (\(error)); reconnecting\n".utf8))
                }
                try await Task.sleep(for: .seconds(1))
            }
        }

        private func emit(_ attempt: AttemptResource, _ printer: AttemptLine) throws {
            var line: String
            if options.json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                line = String(decoding: try encoder.encode(attempt), as: UTF8.self)
            } else {
                line = printer.render(attempt)
            }
            line.append("\n")
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliver a message again (same message id).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The message id (msg_…).") var message: String

        func run() async throws {
            let answer = try await options.client.call(
                .post, "/v1/messages/\(message)/retry", as: MessageRetryAccepted.self)
            try options.output(answer) { print("queued \(message) again") }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deliver again a webhook's finished messages queued since a time (same message ids).")
        @OptionGroup var options: ClientOptions
        @Option(help: "The webhook's id.") var webhook: String
        @Option(help: "RFC 3339 time: messages queued since then.") var since: String
        @Option(help: "RFC 3339 time: and before this.") var until: String?
        @Option(help: "Only messages that finished so (delivered, failed or expired).") var status: MessageStatus?
        @Flag(help: "Only report what would be sent.") var dryRun = false

        func run() async throws {
            let request = ReplayRequest.Body(since: since, until: until, status: status, dryRun: dryRun)
            let report = try await options.client.call(
                .post, "/v1/webhooks/\(webhook)/replay", json: request, as: ReplayResult.self)
            try options.output(report) {
                print(dryRun ? "would send \(report.count) messages again" : "queued \(report.count) messages again")
                for id in report.messageIds { print("  \(id)") }
            }
        }
    }
}

/// Delivery-log lines: `time  webhook  type  event  #attempt  status  duration  outcome`, one per
/// message, so a batch request shows a line for each message it carried (that the filters select).
struct AttemptLine {
    let colored: Bool
    var filters: DeliveriesCommand.Filters?

    func render(_ attempt: AttemptResource) -> String {
        let shown = attempt.carriedMessages.filter(selected)
        return (shown.isEmpty ? Array(attempt.carriedMessages.prefix(1)) : shown).map { line(attempt, message: $0) }
            .joined(separator: "\n")
    }

    /// Whether a message passes the event, type and status filters (the relay applied them to the
    /// request; a batch also carries messages they do not select).
    private func selected(_ message: AttemptResource.Message) -> Bool {
        guard let filters else { return true }
        return (filters.event.map { $0 == message.eventId } ?? true)
            && (filters.type.map { $0 == message.eventType } ?? true)
            && (filters.status.map { $0 == message.outcome } ?? true)
    }

    private func line(_ attempt: AttemptResource, message: AttemptResource.Message) -> String {
        let outcome = message.outcome.rawValue
        let columns = [
            attempt.startedAt,
            pad(attempt.webhookName, 16),
            pad(message.eventType, 20),
            pad(message.eventId, 30),
            pad("#\(message.attempt)", 3),
            pad(attempt.httpStatus.map(String.init) ?? "-", 3),
            pad("\(attempt.durationMs)ms", 7),
            paint(pad(outcome, 9)),
        ]
        let line = columns.joined(separator: "  ")
        guard let error = message.error, message.outcome != .delivered else {
            return String(line.reversed().drop { $0 == " " }.reversed())
        }
        return line + "  " + error
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    private func paint(_ outcome: String) -> String {
        guard colored else { return outcome }
        let code =
            switch outcome.trimmingCharacters(in: .whitespaces) {
            case "delivered": "32"
            case "retrying": "33"
            case "paused", "disabled": "35"
            default: "31"
            }
        return "\u{1B}[\(code)m\(outcome)\u{1B}[0m"
    }
}
