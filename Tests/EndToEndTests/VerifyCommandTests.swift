import Foundation
import Testing

/// `auditrelay verify --provider …` (SPEC §12) on captured inbound requests, run as a process.
@Suite struct VerifyCommandTests {
    @Test func aCapturedGitHubRequestSaysWhichSecretMatched() async throws {
        let executable = try #require(auditrelayExecutable, "the auditrelay executable is built beside the tests")
        let header = "X-Hub-Signature-256: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        let matched = try await runProcess(
            executable,
            [
                "verify", "--provider", "github", "--secret", "old", "--secret", "It's a Secret to Everybody",
                "--header", header,
            ],
            input: Array("Hello, World!".utf8))
        #expect(matched.status == 0)
        #expect(matched.stdout == "X-Hub-Signature-256: valid, secret 2 matched\n")

        let refused = try await runProcess(
            executable,
            ["verify", "--provider", "bitbucket", "--secret", "It's a Secret to Everybody", "--header", header],
            input: Array("Hello, World!".utf8))
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("verify: X-Hub-Signature: no X-Hub-Signature header"))

        let unknown = try await runProcess(executable, ["verify", "--provider", "svn", "--secret", "s"], input: [])
        #expect(unknown.status != 0 && unknown.stderr.contains("svn"))
    }
}
