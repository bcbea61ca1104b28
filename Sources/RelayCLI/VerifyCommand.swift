import ArgumentParser
import Foundation
import RelayCore

/// `auditrelay verify`: checks a received request's signatures (body on stdin) and says which
/// secret matched.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify X-Soteri-Signature, webhook-* and X-Hub-Signature-256 headers of a received body.",
        discussion: """
            auditrelay verify --secret S [--secret S2 …] --header 'X-Soteri-Signature: …' < body
            Standard Webhooks headers need webhook-id, webhook-timestamp and webhook-signature.
            With --provider github|bitbucket|jira|gitlab|standard, a captured inbound request is
            checked as an inbound source of that provider checks it (SPEC §12).
            """)

    @Option(help: "Check as an inbound source of this provider: github, bitbucket, jira, gitlab or standard.")
    var provider: InboundProvider?

    @Option(name: .customLong("secret"), help: "A candidate secret (repeat for several).")
    var secrets: [String] = []

    @Option(name: .customLong("header"), help: "A received header, 'Name: value' (repeat for several).")
    var headers: [String] = []

    @Option(help: "Largest accepted age of webhook-timestamp, e.g. 5m.")
    var tolerance: String = "5m"

    func run() throws {
        guard !secrets.isEmpty else { throw CommandFailure("verify: give at least one --secret") }
        let fields = HeaderFields(try HeaderArguments.parse(headers, option: "verify: --header"))
        let toleranceSeconds: Int64
        do {
            toleranceSeconds = try RelayDuration(parsing: tolerance).milliseconds / 1000
        } catch {
            throw CommandFailure("verify: --tolerance '\(tolerance)' is not a duration such as 5m")
        }
        let body = Array(FileHandle.standardInput.readDataToEndOfFile())
        let now = WallClock.nowMillis() / 1000
        let results =
            provider.map {
                [
                    SignatureVerifier.verifyInbound(
                        $0, headers: fields, body: body, secrets: secrets, now: now, toleranceSeconds: toleranceSeconds)
                ]
            }
            ?? SignatureVerifier.verify(
                headers: fields, body: body, secrets: secrets, now: now, toleranceSeconds: toleranceSeconds)
        guard !results.isEmpty else {
            throw CommandFailure("verify: no X-Soteri-Signature, webhook-signature or X-Hub-Signature-256 header given")
        }
        let failures = results.compactMap { result in result.failure.map { "\(result.scheme): \($0)" } }
        guard failures.isEmpty else { throw CommandFailure("verify: " + failures.joined(separator: "; ")) }
        for result in results {
            print("\(result.scheme): valid, secret \((result.matchedSecret ?? 0) + 1) matched")
        }
    }
}
