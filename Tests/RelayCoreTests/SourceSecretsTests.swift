import RelayCore
import Testing

/// The secret status of a source (SPEC §12), step by step with the clock passed in.
@Suite struct SourceSecretsTests {
    static let day: Int64 = 86_400_000

    /// A request from `sender` verified with ``SourceSecrets/accepted``[`index`], which must be taken.
    static func verify(
        _ secrets: inout SourceSecrets, _ sender: String, index: Int, now: Int64,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let taken = secrets.verified(sender: sender, secret: secrets.accepted[index], now: now)
        #expect(taken, "\(sender) was refused", sourceLocation: sourceLocation)
    }

    @Test func aNewSecretIsPendingUntilARequestSignedWithItIsVerified() {
        var secrets = SourceSecrets(secret: "old", now: 0)
        #expect(secrets.status == .pending && secrets.accepted == ["old"])
        #expect(secrets.reason == "no request signed with the current secret has been verified yet")
        Self.verify(&secrets, "acme/api", index: 0, now: 10)
        #expect(secrets.status == .secure && secrets.reason == nil)
    }

    @Test func aRotationWaitsForEverySenderThenDropsThePreviousSecret() {
        var secrets = SourceSecrets(secret: "old", now: 0)
        Self.verify(&secrets, "acme/api", index: 0, now: 1)
        Self.verify(&secrets, "acme/web", index: 0, now: 2)
        secrets.rotate(to: "new", grace: Self.day, now: 100)
        #expect(secrets.status == .configuring)
        #expect(secrets.accepted == ["new", "old"])
        #expect(secrets.progress == (0, 2) && secrets.lagging == ["acme/api", "acme/web"])
        #expect(secrets.deadline == 100 + Self.day)

        Self.verify(&secrets, "acme/api", index: 1, now: 110)
        #expect(secrets.progress == (0, 2), "still on the old secret")
        Self.verify(&secrets, "acme/api", index: 0, now: 120)
        #expect(secrets.progress == (1, 2) && secrets.reason == "1 of 2 senders use the new secret")
        #expect(secrets.status == .configuring)
        Self.verify(&secrets, "acme/web", index: 0, now: 130)
        #expect(secrets.status == .secure && secrets.accepted == ["new"], "the old secret is no longer accepted")
        #expect(secrets.progress == (2, 2), "the finished rotation still shows who switched")

        // A request checked against the old secret just before the rotation ended is not taken.
        let stale = secrets.verified(sender: "acme/api", secret: "old", now: 140)
        #expect(!stale)
        #expect(secrets.senders["acme/api"]?.lastVerifiedAt == 120 && secrets.status == .secure)
    }

    @Test func aGraceThatRunsOutFailsNamingTheSenderUntilItSwitches() {
        var secrets = SourceSecrets(secret: "old", now: 0)
        Self.verify(&secrets, "acme/api", index: 0, now: 1)
        Self.verify(&secrets, "acme/web", index: 0, now: 2)
        secrets.rotate(to: "new", grace: Self.day, now: 100)
        Self.verify(&secrets, "acme/api", index: 0, now: 200)
        secrets.refresh(now: 100 + Self.day - 1)
        #expect(secrets.status == .configuring)
        secrets.refresh(now: 100 + Self.day)
        #expect(secrets.status == .failed && secrets.accepted == ["new"])
        #expect(secrets.lagging == ["acme/web"])
        #expect(secrets.reason == "the grace period ended with acme/web still signing with the previous secret")
        Self.verify(&secrets, "other/repo", index: 0, now: 100 + Self.day + 1)
        #expect(secrets.status == .failed, "a sender that was not waited for changes nothing")
        Self.verify(&secrets, "acme/web", index: 0, now: 100 + Self.day + 2)
        #expect(secrets.status == .secure)
    }

    @Test func sendersSeenMoreThanThirtyDaysBeforeTheRotationAreNotWaitedFor() {
        var secrets = SourceSecrets(secret: "old", now: 0)
        Self.verify(&secrets, "retired/repo", index: 0, now: 0)
        Self.verify(&secrets, "acme/api", index: 0, now: 40 * Self.day)
        secrets.rotate(to: "new", grace: Self.day, now: 41 * Self.day)
        #expect(secrets.progress == (0, 1) && secrets.lagging == ["acme/api"])
    }

    @Test func withNoSendersKnownTheFirstRequestOnTheNewSecretSettlesIt() {
        var secrets = SourceSecrets(secret: "old", now: 0)
        secrets.rotate(to: "new", grace: Self.day, now: 0)
        #expect(secrets.status == .configuring && secrets.progress == (0, 0))
        #expect(secrets.reason == "waiting for the first request signed with the new secret")
        Self.verify(&secrets, "acme/api", index: 0, now: 5)
        #expect(secrets.status == .secure)

        var quiet = SourceSecrets(secret: "old", now: 0)
        quiet.rotate(to: "new", grace: Self.day, now: 0)
        quiet.refresh(now: Self.day)
        #expect(quiet.status == .pending && quiet.accepted == ["new"], "no traffic at all: nothing to fail")
    }

    @Test func aRotationWithoutGraceDropsThePreviousSecretAtOnce() {
        var secrets = SourceSecrets(secret: "old", now: 0)
        Self.verify(&secrets, "acme/api", index: 0, now: 1)
        secrets.rotate(to: "new", grace: 0, now: 10)
        #expect(secrets.status == .pending && secrets.accepted == ["new"] && secrets.deadline == nil)
        secrets.rotate(to: "newer", grace: Self.day, now: 20)
        #expect(secrets.accepted == ["newer", "new"], "rotating again starts again from the current secret")
    }
}
