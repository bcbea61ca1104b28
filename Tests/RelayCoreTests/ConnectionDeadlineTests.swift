import RelayCore
import Testing

/// When the server closes a connection that is not sending a request.
@Suite struct ConnectionDeadlineTests {
    private static func fresh(now: Int64 = 0) -> ConnectionDeadline {
        ConnectionDeadline(headerTimeout: 10_000, idleTimeout: 60_000, now: now)
    }

    @Test func aNewConnectionHasTheHeaderTimeoutForItsFirstHead() {
        var deadline = Self.fresh(now: 1_000)
        #expect(deadline.closesAt == 11_000)
        deadline.bytesArrived(now: 5_000)
        #expect(deadline.closesAt == 11_000, "half a head does not buy more time")
        #expect(!deadline.isExpired(now: 10_999) && deadline.isExpired(now: 11_000))
    }

    @Test func noDeadlineWhileARequestIsAnswered() {
        var deadline = Self.fresh()
        deadline.headArrived()
        #expect(deadline.closesAt == nil)
        #expect(!deadline.isExpired(now: 1_000_000))
        deadline.bytesArrived(now: 2_000)
        #expect(deadline.closesAt == nil, "a body arriving is part of the request")
    }

    @Test func aKeptAliveConnectionIdlesThenItsNextHeadIsDue() {
        var deadline = Self.fresh()
        deadline.headArrived()
        deadline.responseFinished(now: 3_000)
        #expect(deadline.closesAt == 63_000)
        deadline.bytesArrived(now: 20_000)
        #expect(deadline.closesAt == 30_000, "the next request's head is due within the header time-out")
        deadline.bytesArrived(now: 25_000)
        #expect(deadline.closesAt == 30_000)
        deadline.headArrived()
        deadline.responseFinished(now: 26_000)
        #expect(deadline.closesAt == 86_000)
    }

    @Test func pipelinedRequestsKeepTheConnectionBusyUntilTheLastResponse() {
        var deadline = Self.fresh()
        deadline.headArrived()
        deadline.headArrived()
        deadline.responseFinished(now: 1_000)
        #expect(deadline.closesAt == nil, "one request is still being answered")
        deadline.responseFinished(now: 2_000)
        #expect(deadline.closesAt == 62_000)
    }
}
