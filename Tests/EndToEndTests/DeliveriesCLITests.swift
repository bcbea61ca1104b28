import ArgumentParser
import Foundation
import RelayCore
import RelayStore
import RelayTestSupport
import Synchronization
import Testing

@testable import RelayCLI

/// `auditrelay deliveries list|tail|retry|replay` against a live relay (SPEC §7, §9).
@Suite(.timeLimit(.minutes(1))) struct DeliveriesCLITests {
    @Test func anAttemptLineHasTheShapeOfTheSpecExample() {
        var attempt = AttemptResource(
            id: 1, messageId: "msg_1", eventId: "evt_01J", eventType: "user.login", webhookId: "wh_1",
            webhookName: "splunk-prod", attempt: 1, startedAt: 0, durationMs: 12, httpStatus: 200, error: nil,
            outcome: .delivered, nextAttemptAt: nil, responseBody: "", messageCount: 1, messages: nil)
        attempt.startedAt = "2026-11-24T10:00:00.123Z"
        let line = AttemptLine(colored: false).render(attempt)
        #expect(
            columns(line).map(\.text)
                == [
                    "2026-11-24T10:00:00.123Z", "splunk-prod", "user.login", "evt_01J", "#1", "200", "12ms",
                    "delivered",
                ])
        #expect(twoSpaceSeparated(line), "\(line)")
        #expect(line.hasPrefix("2026-11-24T10:00:00.123Z  splunk-prod  "))
        #expect(!line.hasSuffix(" "))
        #expect(!line.contains("\u{1B}"), "no colour when not asked for")

        let colored = AttemptLine(colored: true).render(attempt)
        #expect(colored.contains("\u{1B}[32mdelivered"))
        #expect(stripANSI(colored).trimmingCharacters(in: .whitespaces) == line)

        var refused = attempt
        refused.httpStatus = nil
        refused.outcome = .retrying
        refused.error = "connection refused"
        let failed = AttemptLine(colored: false).render(refused)
        #expect(columns(failed).map(\.text).dropFirst(5).prefix(3) == ["-", "12ms", "retrying"])
        #expect(failed.hasSuffix("retrying   connection refused"), "\(failed)")
        #expect(Array(columns(failed).prefix(8).map(\.start)) == columns(line).map(\.start), "aligned with a 200 line")
    }

    @Test func aBatchIsOneEntryListingItsMessagesAndALinePerMessage() async throws {
        let webhooks = { (receiver: TestReceiver) throws -> [WebhookSpec] in
            var spec = try hook("qradar", url: receiver.url("/qradar"))
            spec.format = .ndjson
            spec.batch = BatchSettings(maxEvents: 3, maxBytes: 1_000_000, maxWait: .init(milliseconds: 100))
            return [spec]
        }
        try await withReceivingRelay(webhooks: webhooks) { relay, _ in
            let events = """
                {"type":"user.login","id":"bat-1"}
                {"type":"repo.created","id":"bat-2"}
                {"type":"user.login","id":"bat-3"}
                """
            #expect(try await relay.postEvents(events, contentType: "application/x-ndjson").status == 202)
            let entries = try await waitForAttempts(relay, 1)
            #expect(entries.count == 1, "one request, one entry")
            let batch = try #require(entries.first)
            #expect(batch.messageCount == 3)
            let messages = try #require(batch.messages)
            #expect(messages.map(\.eventId) == ["bat-1", "bat-2", "bat-3"])
            #expect(messages.allSatisfy { $0.messageId.hasPrefix("msg_") })
            #expect(messages.allSatisfy { $0.outcome == .delivered && $0.attempt == 1 })
            #expect(batch.eventId == "bat-1")

            let found = try await deliveryPage(relay, "event=bat-2").deliveries
            #expect(found.count == 1)
            #expect(found.first?.eventId == "bat-2" && found.first?.eventType == "repo.created")
            #expect(found.first?.messageId == messages[1].messageId)

            let lines = AttemptLine(colored: false).render(batch).split(separator: "\n").map(String.init)
            #expect(lines.map { columns($0)[3].text } == ["bat-1", "bat-2", "bat-3"])
            for line in lines {
                let texts = columns(line).map(\.text)
                #expect([texts[4], texts[5], texts[7]] == ["#1", "200", "delivered"], "\(line)")
            }
            var filters = try DeliveriesCommand.Filters.parse(["--type", "repo.created"])
            #expect(AttemptLine(colored: false, filters: filters).render(batch).split(separator: "\n").count == 1)
            filters = try DeliveriesCommand.Filters.parse(["--event", "bat-3"])
            let eventLines = AttemptLine(colored: false, filters: filters).render(batch).split(separator: "\n")
            #expect(eventLines.count == 1 && eventLines.first?.contains("bat-3") == true)
            filters = try DeliveriesCommand.Filters.parse(["--status", "failed"])
            #expect(
                AttemptLine(colored: false, filters: filters).render(batch).contains("bat-1"),
                "falls back to the entry")
        }
    }

    @Test func linesOfRealAttemptsHaveTheirFieldsInOrderInAlignedColumns() async throws {
        try await withSeededLog { log in
            let printer = AttemptLine(colored: false)
            let lines = log.all.map(printer.render)
            for (attempt, line) in zip(log.all, lines) {
                let expected = [
                    attempt.startedAt, attempt.webhookName, attempt.eventType, attempt.eventId, "#\(attempt.attempt)",
                    attempt.httpStatus.map(String.init) ?? "-", "\(attempt.durationMs)ms", attempt.outcome.rawValue,
                ]
                #expect(Array(columns(line).map(\.text).prefix(8)) == expected, "\(line)")
                #expect(twoSpaceSeparated(line), "\(line)")
                #expect(!line.hasSuffix(" "), "\(line)")
                if let error = attempt.error, attempt.outcome != .delivered {
                    #expect(line.hasSuffix("  " + error), "the error ends the line: \(line)")
                }
                #expect(!line.contains("log-signing-secret") && !line.contains("sekret"))
            }
            let starts = lines.map { Array(columns($0).prefix(8).map(\.start)) }
            #expect(Set(starts).count == 1, "columns are not aligned:\n\(lines.joined(separator: "\n"))")
            let words = lines.map { columns($0).map(\.text) }
            #expect(words.contains { $0[1] == "fail-hook" && $0[4...7] == ["#3", "500", $0[6], "expired"] })
            #expect(words.contains { $0[1] == "bad-hook" && $0[5] == "400" && $0[7] == "failed" })
        }
    }

    @Test func listAndTailRunAgainstALiveRelay() async throws {
        try await withSeededLog { log in
            let admin = ["--server", "http://127.0.0.1:\(log.relay.port)", "--token", testAdminToken]
            let okID = try #require(log.webhookIDs["ok-hook"])
            let commands: [[String]] = [
                ["deliveries", "list"], ["deliveries", "list", "--json"],
                ["deliveries", "list", "--webhook", "ok-hook", "--status", "delivered", "--type", "user.login"],
                ["deliveries", "list", "--event", "log-4", "--limit", "1"], ["deliveries", "tail"],
                ["deliveries", "tail", "--json"], ["deliveries", "tail", "--lines", "3", "--status", "failed"],
                ["deliveries", "tail", "--webhook", okID, "--type", "user.logout", "--json"],
            ]
            for command in commands {
                #expect(await commandFailure(command + admin) == nil, "\(command)")
            }

            // Refused by the option parser, which knows the outcomes, before any request.
            for (command, value) in [("tail", "bogus"), ("list", "sent")] {
                let refused = await commandFailure(["deliveries", command, "--status", value] + admin)
                #expect(refused?.contains(value) == true, "\(refused ?? "succeeded")")
            }
            let wrongToken = await commandFailure(
                ["deliveries", "tail", "--server", "http://127.0.0.1:\(log.relay.port)", "--token", "nope"])
            #expect(wrongToken == "401 Unauthorized")
            let noRelay = await commandFailure(["deliveries", "list", "--server", "http://127.0.0.1:1", "--token", "t"])
            #expect(noRelay?.hasPrefix("cannot reach the relay at http://127.0.0.1:1") == true)
            #expect(throws: (any Error).self) { try AuditRelayCommand.parseAsRoot(["deliveries", "retry"]) }
            #expect(throws: (any Error).self) {
                try AuditRelayCommand.parseAsRoot(["deliveries", "replay", "--since", "2026-01-01T00:00:00Z"])
            }
        }
    }

    @Test func retryAndReplayFromTheCommandLine() async throws {
        let calls = Counter()
        try await withReceivingRelay(
            respond: { _ in calls.next() == 1 ? ReceiverReply(status: 400) : ReceiverReply(status: 200) },
            webhooks: { [try hook("cli-hook", url: $0.url())] }
        ) { relay, receiver in
            let admin = ["--server", "http://127.0.0.1:\(relay.port)", "--token", testAdminToken]
            let webhookID = try #require(try await relay.webhookList().first?.id)
            let since = RFC3339.format(millis: nowMillis() - 1000)
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"cli-1"}"#).status == 202)
            let failed = try #require(try await waitForAttempts(relay, 1, query: "status=failed").first)
            let failedID = failed.messageId
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"cli-2"}"#).status == 202)
            let deliveredID = try #require(
                try await waitForAttempts(relay, 1, query: "status=delivered").first?.messageId)

            let missing = await commandFailure(["deliveries", "retry", "msg_missing"] + admin)
            #expect(missing == "404 Not Found: no message has the id msg_missing")

            #expect(await commandFailure(["deliveries", "retry", failedID] + admin) == nil)
            let retried = try await receiver.waitForRequests(3)[2]
            #expect(retried.headers["x-auditrelay-message-id"] == failedID)
            #expect(retried.headers["x-auditrelay-attempt"] == "2")
            _ = try await waitForAttempts(relay, 2, query: "status=delivered")

            let store = try relay.openStore()
            let attemptsBefore = try await store.attempts().count
            for arguments in [["--dry-run"], ["--dry-run", "--json"], ["--dry-run", "--status", "delivered"]] {
                let command = ["deliveries", "replay", "--webhook", webhookID, "--since", since] + arguments
                #expect(await commandFailure(command + admin) == nil, "\(arguments)")
            }
            #expect(try await store.pendingDepth() == 0, "a dry run queued something")
            #expect(try await store.attempts().count == attemptsBefore, "a dry run sent something")
            #expect(receiver.requests().count == 3, "a dry run sent something")
            for event in ["cli-1", "cli-2"] {
                #expect(try await store.messageStatuses(eventID: event).map(\.status) == [.delivered])
            }

            let badSince = await commandFailure(
                ["deliveries", "replay", "--webhook", webhookID, "--since", "now"] + admin)
            #expect(badSince?.hasPrefix("422") == true && badSince?.contains("since") == true, "\(badSince ?? "")")
            let unknown = await commandFailure(
                ["deliveries", "replay", "--webhook", "wh_missing", "--since", since] + admin)
            #expect(unknown?.hasPrefix("404") == true, "\(unknown ?? "")")

            #expect(
                await commandFailure(["deliveries", "replay", "--webhook", webhookID, "--since", since] + admin)
                    == nil)
            let replayed = try await receiver.waitForRequests(5).dropFirst(3)
            #expect(Set(replayed.map { $0.headers["x-auditrelay-message-id"] ?? "" }) == [failedID, deliveredID])
            #expect(try await eventually { try await store.pendingDepth() == 0 })
            #expect(receiver.requests().count == 5)
        }
    }

    @Test(.enabled(if: auditrelayExecutable != nil, "needs the built auditrelay executable"))
    func tailPrintsOneLinePerAttemptAsTextOrJSON() async throws {
        let executable = try #require(auditrelayExecutable)
        try await withSeededLog { log in
            let admin = ["--server", "http://127.0.0.1:\(log.relay.port)", "--token", testAdminToken]
            let printer = AttemptLine(colored: false)

            let text = try await runProcess(executable, ["deliveries", "tail", "--lines", "100"] + admin)
            #expect(text.status == 0, "\(text.stderr)")
            #expect(text.lines == log.all.reversed().map(printer.render), "oldest first, one line each")

            let json = try await runProcess(executable, ["deliveries", "tail", "--json", "--lines", "100"] + admin)
            #expect(json.status == 0, "\(json.stderr)")
            let objects = json.lines.map { try? JSONDecoder().decode(AttemptResource.self, from: Data($0.utf8)) }
            let values = json.lines.map { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
            #expect(objects.count == SeededLog.attemptCount)
            let listed = try await listedAttemptMembers(log.relay)
            for ((object, value), attempt) in zip(zip(objects, values), log.all.reversed()) {
                #expect(object == attempt, "one JSON attempt per line")
                #expect(value != nil && value == listed[attempt.id].map(JSONValue.object), "as the list writes it")
            }

            let filtered = try await runProcess(executable, ["deliveries", "tail", "--webhook", "fail-hook"] + admin)
            #expect(filtered.lines.map { columns($0).map(\.text).dropFirst(4).first } == ["#1", "#2", "#3"])
            #expect(
                filtered.lines.map { columns($0).map(\.text).dropFirst(7).first } == [
                    "retrying", "retrying", "expired",
                ])

            let recent = try await runProcess(executable, ["deliveries", "tail", "--lines", "2"] + admin)
            #expect(recent.lines == log.all.prefix(2).reversed().map(printer.render))

            let list = try await runProcess(executable, ["deliveries", "list", "--limit", "100"] + admin)
            #expect(list.lines == log.all.map(printer.render), "newest first")

            let missing = try await runProcess(executable, ["deliveries", "retry", "msg_missing"] + admin)
            #expect(missing.status != 0)
            #expect(missing.stdout.isEmpty)
            #expect(missing.stderr.split(separator: "\n").count == 1, "\(missing.stderr)")
            #expect(missing.stderr.contains("404 Not Found: no message has the id msg_missing"))
        }
    }

    @Test(.enabled(if: auditrelayExecutable != nil, "needs the built auditrelay executable"))
    func tailFollowPrintsNewAttemptsAsTheyHappen() async throws {
        let executable = try #require(auditrelayExecutable)
        try await withReceivingRelay(respond: answerByPath, webhooks: { [try hook("follow-ok", url: $0.url("/ok"))] }) {
            relay, _ in
            let admin = ["--server", "http://127.0.0.1:\(relay.port)", "--token", testAdminToken]
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"follow-1"}"#).status == 202)
            _ = try await waitForAttempts(relay, 1)

            let process = try RunningProcess(executable, ["deliveries", "tail", "--follow", "--json"] + admin)
            defer { process.stop() }
            #expect(await process.waitForLines(1), "the recent attempt was not printed: \(process.stderr)")
            #expect(try await relay.postEvents(#"{"type":"user.login","id":"follow-2"}"#).status == 202)
            #expect(await process.waitForLines(2), "the new attempt was not printed: \(process.stderr)")
            let events = process.lines.map {
                (try? JSONDecoder().decode(AttemptResource.self, from: Data($0.utf8)))?.eventId
            }
            #expect(events == ["follow-1", "follow-2"])
            #expect(process.isRunning, "tail --follow keeps following")
        }
    }
}

// MARK: - Columns of a line

/// The space-separated words of `line`, with the character offset each starts at.
func columns(_ line: String) -> [(start: Int, text: String)] {
    var result: [(start: Int, text: String)] = []
    var current = ""
    var start = 0
    for (offset, character) in line.enumerated() {
        if character == " " {
            if !current.isEmpty { result.append((start, current)) }
            current = ""
        } else {
            if current.isEmpty { start = offset }
            current.append(character)
        }
    }
    if !current.isEmpty { result.append((start, current)) }
    return result
}

/// Whether the first eight fields of `line` are separated by at least two spaces each.
func twoSpaceSeparated(_ line: String) -> Bool {
    let words = columns(line)
    guard words.count >= 8 else { return false }
    return (1..<8).allSatisfy { words[$0].start >= words[$0 - 1].start + words[$0 - 1].text.count + 2 }
}

/// `text` without ANSI colour codes.
func stripANSI(_ text: String) -> String {
    text.replacing(#/\x{1B}\[[0-9;]*m/#, with: "")
}

// MARK: - Running the built executable

/// The `auditrelay` executable built beside the test bundle, if there is one.
let auditrelayExecutable: String? = {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    return [beside.appendingPathComponent("auditrelay"), root.appendingPathComponent(".build/debug/auditrelay")]
        .map(\.path).first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// What a finished process printed.
struct ProcessOutput {
    var status: Int32
    var stdout: String
    var stderr: String
    var lines: [String] { stdout.split(separator: "\n").map(String.init) }
}

/// Runs `executable` to its end (at most `timeout`), with `input` on its stdin, and returns what
/// it printed.
func runProcess(
    _ executable: String, _ arguments: [String], input: [UInt8]? = nil, timeout: Duration = .seconds(20)
) async throws -> ProcessOutput {
    let process = try RunningProcess(executable, arguments, input: input)
    defer { process.stop() }
    let exited = await process.waitForExit(timeout: timeout)
    try #require(exited, "\(arguments) did not finish within \(timeout)")
    return ProcessOutput(status: process.status, stdout: process.stdout, stderr: process.stderr)
}

/// A child process whose stdout and stderr go to files, read while it runs.
final class RunningProcess: Sendable {
    private let process: Mutex<Process>
    private let stdoutFile: URL
    private let stderrFile: URL

    init(_ executable: String, _ arguments: [String], input: [UInt8]? = nil) throws {
        let directory = try TestFixtures.temporaryDirectory()
        let stdinFile = directory.appendingPathComponent("stdin")
        _ = FileManager.default.createFile(atPath: stdinFile.path, contents: Data(input ?? []))
        stdoutFile = directory.appendingPathComponent("stdout")
        stderrFile = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["AUDITRELAY_ADMIN_TOKEN"] = nil
        environment["AUDITRELAY_SERVER"] = nil
        process.environment = environment
        process.standardInput = try FileHandle(forReadingFrom: stdinFile)
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
        self.process = Mutex(process)
    }

    var isRunning: Bool { process.withLock { $0.isRunning } }
    var status: Int32 { process.withLock { $0.terminationStatus } }
    var stdout: String { (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }
    /// The complete lines printed so far.
    var lines: [String] {
        let text = stdout
        let complete = text.hasSuffix("\n") ? text : String(text[..<(text.lastIndex(of: "\n") ?? text.startIndex)])
        return complete.split(separator: "\n").map(String.init)
    }

    /// Waits (at most `timeout`) until the process has printed `count` lines.
    func waitForLines(_ count: Int, timeout: Duration = .seconds(5)) async -> Bool {
        await eventually(timeout: timeout) { lines.count >= count }
    }

    /// Waits (at most `timeout`) until the process has exited.
    func waitForExit(timeout: Duration) async -> Bool {
        await eventually(timeout: timeout) { !isRunning }
    }

    /// Ends the process if it still runs.
    func stop() {
        process.withLock { if $0.isRunning { $0.terminate() } }
    }
}
