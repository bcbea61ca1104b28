import RelayCore
import Testing

@Suite struct HeaderFieldsTests {
    @Test func namesAreLookedUpInAnyCase() {
        let headers: HeaderFields = ["X-GitHub-Event": "push", "webhook-id": "msg_1"]
        #expect(headers["x-github-event"] == "push")
        #expect(headers["X-GITHUB-EVENT"] == "push")
        #expect(headers["Webhook-Id"] == "msg_1")
        #expect(headers["x-github-delivery"] == nil)
    }

    @Test func aNameThatComesTwiceKeepsTheLastValueInRequestOrder() {
        let headers = HeaderFields([(name: "X-Event-Key", value: "first"), (name: "x-event-key", value: "second")])
        #expect(headers["X-Event-Key"] == "second")
        #expect(headers == HeaderFields(["x-event-key": "second"]))
    }
}
