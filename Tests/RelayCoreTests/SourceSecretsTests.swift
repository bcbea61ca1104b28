import RelayCore
import Testing

/// The secret status of a source (SPEC §12), step by step with the clock passed in.
@Suite struct SourceSecretsTests {
    static let day: Int64 = 86_400_000

    @Test func aNewSecretIsPendingUntilARequestSignedWithItIsVerified() {
        var secrets = SourceSecrets(secret: "old", now: 0)
        #expect(secrets.status == .pending && secrets.accepted == ["old"])
        #expect(secrets.reason == "no request signed with the current secret has been verified yet")
        secrets.verified(sender: "acme/api", secretIndex: 0, now: 10)
        #expect(secrets.status == .secure && secrets.reason == nil)
    }

    @Test func aRotationWaitsForEverySenderThenDropsThePreviousSecret() {
        var secrets = SourceSecrets(secret: "old", now: 0)
        secrets.verified(sender: "acme/api", secretIndex: 0, now: 1)
        secrets.verified(sender: "acme/web", secretIndex: 0, now: 2)
        secrets.rotate(to: "new", grace: Self.day, now: 100)
        #expect(secrets.status == .configuring)
        #expect(secrets.accepted == ["new", "old"])
        #expect(secrets.progress == (0, 2) && secrets.lagging == ["acme/api", "acme/web"])
        #expect(secrets.deadline == 100 + Self.day)

        secrets.verified(sender: "acme/api", secretIndex: 1, now: 110)
        #expect(secrets.progress == (0, 2), "still on the old secret")
        secrets.verified(sender: "acme/api", secretIndex: 0, now: 120)
        #expect(secrets.progress == (1, 2) && secrets.reason == "1 of 2 senders use the new secret")
        #expect(secrets.status == .configuring)
        secrets.verified(sender: "acme/web", secretIndex: 0, now: 130)
        #expect(secrets.status == .secure && secrets.accepted == ["new"], "the old secret is no longer accepted")
    }

    @Test func aGraceThatRunsOutFailsNamingTheSenderUntilItSwitches() {
        var secrets = SourceSecrets(secret: "old", now: 0)
        secrets.verified(sender: "acme/api", secretIndex: 0, now: 1)
        secrets.verified(sender: "acme/web", secretIndex: 0, now: 2)
        secrets.rotate(to: "new", grace: Self.day, now: 100)
        secrets.verified(sender: "acme/api", secretIndex: 0, now: 200)
        secrets.refresh(now: 100 + Self.day - 1)
        #expect(secrets.status == .configuring)
        secrets.refresh(now: 100 + Self.day)
        #expect(secrets.status == .failed && secrets.accepted == ["new"])
        #expect(secrets.lagging == ["acme/web"])
        #expect(secrets.reason == "the grace period ended with acme/web still signing with the previous secret")
        secrets.verified(sender: "other/repo", secretIndex: 0, now: 100 + Self.day + 1)
        #expect(secrets.status == .failed, "a sender that was not waited for changes nothing")
        secrets.verified(sender: "acme/web", secretIndex: 0, now: 100 + Self.day + 2)
        #expect(secrets.status == .secure)
    }

    @Test func sendersSeenMoreThanThirtyDaysBeforeTheRotationAreNotWaitedFor() {
        var secrets = SourceSecrets(secret: "old", now: 0)
        secrets.verified(sender: "retired/repo", secretIndex: 0, now: 0)
        secrets.verified(sender: "acme/api", secretIndex: 0, now: 40 * Self.day)
        secrets.rotate(to: "new", grace: Self.day, now: 41 * Self.day)
        #expect(secrets.progress == (0, 1) && secrets.lagging == ["acme/api"])
    }

    @Test func withNoSendersKnownTheFirstRequestOnTheNewSecretSettlesIt() {
        var secrets = SourceSecrets(secret: "old", now: 0)
        secrets.rotate(to: "new", grace: Self.day, now: 0)
        #expect(secrets.status == .configuring && secrets.progress == (0, 0))
        #expect(secrets.reason == "waiting for the first request signed with the new secret")
        secrets.verified(sender: "acme/api", secretIndex: 0, now: 5)
        #expect(secrets.status == .secure)

        var quiet = SourceSecrets(secret: "old", now: 0)
        quiet.rotate(to: "new", grace: Self.day, now: 0)
        quiet.refresh(now: Self.day)
        #expect(quiet.status == .pending && quiet.accepted == ["new"], "no traffic at all: nothing to fail")
    }

    @Test func aRotationWithoutGraceDropsThePreviousSecretAtOnce() {
        var secrets = SourceSecrets(secret: "old", now: 0)
        secrets.verified(sender: "acme/api", secretIndex: 0, now: 1)
        secrets.rotate(to: "new", grace: 0, now: 10)
        #expect(secrets.status == .pending && secrets.accepted == ["new"] && secrets.deadline == nil)
        secrets.rotate(to: "newer", grace: Self.day, now: 20)
        #expect(secrets.accepted == ["newer", "new"], "rotating again starts again from the current secret")
    }
}
