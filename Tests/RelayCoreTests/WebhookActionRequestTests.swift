import RelayCore
import Testing

/// The small requests of `/v1/webhooks/{id}/authorization` and `/secrets`: read member by member,
/// every problem named at once.
@Suite struct WebhookActionRequestTests {
    @Test func anAuthorizationValueIsTaken() throws {
        let request = try AuthorizationRequest(json: ["authorization": .string("Splunk 0000-1111")])
        #expect(request.authorization == "Splunk 0000-1111")
    }

    @Test func unknownMembersAndAMissingValueAreNamedTogether() {
        #expect(
            throws: RelayProblem.invalid([
                FieldError(field: "extra", reason: "is not a field of this request"),
                FieldError(field: "authorization", reason: "is required and must be a string"),
            ])
        ) {
            try AuthorizationRequest(json: ["extra": .bool(true)])
        }
    }

    @Test(arguments: ["Bearer", "Bearer ", "", "Bearer a\r\nX-Injected: 1", "Bad\u{0}Scheme value"])
    func aMalformedAuthorizationNamesTheField(value: String) {
        do {
            _ = try AuthorizationRequest(json: ["authorization": .string(value)])
            Issue.record("\(value.debugDescription) was taken")
        } catch {
            #expect(error.errors.map(\.field) == ["authorization"])
            #expect(error.errors.first?.reason.isEmpty == false)
        }
    }

    @Test func aSecretRequestIsGivenOrEmpty() throws {
        #expect(try SecretRequest(json: [:]).secret == nil)
        #expect(try SecretRequest(json: ["secret": .null]).secret == nil)
        #expect(try SecretRequest(json: ["secret": .string("whsec_given")]).secret == "whsec_given")
    }

    @Test func aSecretThatIsNotAStringAndUnknownMembersAreNamed() {
        #expect(
            throws: RelayProblem.invalid([
                FieldError(field: "index", reason: "is not a field of this request"),
                FieldError(field: "secret", reason: "must be a string"),
            ])
        ) {
            try SecretRequest(json: ["secret": .number(7), "index": .number(1)])
        }
    }
}
