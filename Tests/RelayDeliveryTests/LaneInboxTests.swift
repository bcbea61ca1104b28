import Testing

@testable import RelayDelivery

/// A lane takes everything its work reported at once, in order, and waits only when nothing was.
@Suite(.timeLimit(.minutes(1))) struct LaneInboxTests {
    @Test func eventsPostedBeforeATakeComeTogetherInOrderAndOnlyOnce() async {
        let inbox = LaneInbox<Int>()
        for event in 1...5 { inbox.post(event) }
        #expect(await inbox.next() == [1, 2, 3, 4, 5])
        inbox.post(6)
        #expect(await inbox.next() == [6])
    }

    @Test func aTakeGetsWhatAnotherTaskPostsWhetherItWaitedOrNot() async {
        let inbox = LaneInbox<String>()
        async let taken = inbox.next()
        // Posted from another task, whether or not the take is waiting yet: it gets it either way.
        Task.detached { inbox.post("answered") }
        #expect(await taken == ["answered"])
        inbox.post("later")
        #expect(await inbox.next() == ["later"])
    }
}
