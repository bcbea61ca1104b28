import RelayCore
import Testing

/// `POST /v1/webhooks/{id}/replay`'s body, read without a server.
@Suite struct ReplayRequestTests {
    @Test func theMembersAreReadWithTheirDefaults() throws {
        let minimal = try ReplayRequest(json: ["since": .string("2026-11-24T00:00:00Z")])
        #expect(minimal.since == 1_795_478_400_000)
        #expect(minimal.until == nil && minimal.status == nil && !minimal.dryRun)
        let full = try ReplayRequest(json: [
            "since": .string("2026-11-24T00:00:00Z"), "until": .string("2026-11-24T01:00:00.500Z"),
            "status": .string("failed"), "dryRun": .bool(true),
        ])
        #expect(full.until == 1_795_482_000_500 && full.status == .failed && full.dryRun)
    }

    @Test func everyBadMemberIsNamedAtOnce() {
        let problem = #expect(throws: RelayProblem.self) {
            try ReplayRequest(json: [
                "until": .string("yesterday"), "status": .string("pending"), "dryRun": .string("yes"),
                "webhook": .string("wh_1"),
            ])
        }
        #expect(problem?.status == 422)
        #expect(
            problem?.errors == [
                FieldError(field: "webhook", reason: "is not a field of this request"),
                FieldError(field: "since", reason: "is required"),
                FieldError(field: "until", reason: "must be an RFC 3339 date-time"),
                FieldError(field: "status", reason: "must be one of delivered, failed, expired"),
                FieldError(field: "dryRun", reason: "must be true or false"),
            ])
    }
}
