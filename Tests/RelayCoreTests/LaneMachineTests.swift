import RelayCore
import Testing

/// The lane's decisions, without sockets or a store: requests are numbers, attempt records are
/// strings.
@Suite struct LaneMachineTests {
    private typealias Machine = LaneMachine<Int, String>

    private static func context(now: Int64 = 10_000, stopped: Bool = false, concurrency: Int = 4) -> Machine.Context {
        Machine.Context(now: now, stopped: stopped, concurrency: concurrency)
    }

    /// The requests sent among `actions`.
    private static func sends(_ actions: [Machine.Action]) -> [Int] {
        actions.compactMap { if case .send(let request) = $0 { request } else { nil } }
    }

    private static func claims(_ actions: [Machine.Action]) -> [Int] {
        actions.compactMap { if case .claim(let requests) = $0 { requests } else { nil } }
    }

    private static func records(_ actions: [Machine.Action]) -> [[String]] {
        actions.compactMap { if case .record(let records) = $0 { records } else { nil } }
    }

    private static func finishes(_ actions: [Machine.Action]) -> Bool {
        actions.contains { if case .finish = $0 { true } else { false } }
    }

    @Test func aNewLaneClaimsARoundAndNothingElse() {
        var machine = Machine()
        let actions = machine.actions(in: Self.context())
        #expect(Self.claims(actions) == [4])
        #expect(actions.count == 1)
        #expect(machine.actions(in: Self.context()).isEmpty, "one claim at a time")
    }

    @Test func claimsRunWhileSendsAreInFlight() {
        var machine = Machine()
        _ = machine.actions(in: Self.context())
        #expect(machine.receive(.claimed([1, 2, 3], blockedUntil: nil), in: Self.context()).isEmpty)
        let actions = machine.actions(in: Self.context())
        #expect(Self.sends(actions) == [1, 2, 3])
        #expect(Self.claims(actions) == [4], "the next round is claimed beside the three sends")

        _ = machine.receive(.claimed([4, 5, 6], blockedUntil: nil), in: Self.context())
        #expect(Self.sends(machine.actions(in: Self.context())) == [4], "never more than four in flight")
        _ = machine.receive(.sent(["a1"], holdUntil: nil), in: Self.context())
        let next = machine.actions(in: Self.context())
        #expect(Self.records(next) == [["a1"]])
        #expect(Self.sends(next) == [5], "a free slot is filled while the answer is written")
    }

    @Test func slackSendsOneAtATime() {
        var machine = Machine()
        let slack = Self.context(concurrency: 1)
        _ = machine.actions(in: slack)
        _ = machine.receive(.claimed([1], blockedUntil: nil), in: slack)
        #expect(Self.sends(machine.actions(in: slack)) == [1])
        _ = machine.receive(.claimed([2], blockedUntil: nil), in: slack)
        #expect(Self.sends(machine.actions(in: slack)).isEmpty, "the second waits for the first's answer")
        _ = machine.receive(.sent(["a1"], holdUntil: nil), in: slack)
        let next = machine.actions(in: slack)
        #expect(Self.records(next) == [["a1"]])
        #expect(Self.sends(next) == [2], "and goes while the first's attempt is written")
    }

    @Test func a429HoldSendsNothingAndSleepsUntilItEnds() {
        var machine = Machine()
        let one = Self.context(concurrency: 1)
        _ = machine.actions(in: one)
        _ = machine.receive(.claimed([1, 2, 3], blockedUntil: nil), in: one)
        #expect(Self.sends(machine.actions(in: one)) == [1])
        // The answer to 1 was a 429 with Retry-After: the lane is held until 40,000.
        let held = Self.context(now: 10_000, concurrency: 1)
        _ = machine.receive(.sent(["a1"], holdUntil: 40_000), in: held)
        #expect(machine.heldUntil == 40_000)
        let actions = machine.actions(in: held)
        #expect(Self.records(actions) == [["a1"]])
        #expect(Self.sends(actions).isEmpty && Self.claims(actions).isEmpty)
        guard case .sleep(until: 40_000)? = actions.last else {
            Issue.record("expected a sleep until the hold ends, got \(actions)")
            return
        }
        _ = machine.receive(.recorded(keepsPending: true), in: held)
        #expect(Self.sends(machine.actions(in: held)).isEmpty, "a wake-up during the hold sends nothing")
        let after = Self.context(now: 40_001, concurrency: 1)
        _ = machine.receive(.woke, in: after)
        #expect(Self.sends(machine.actions(in: after)) == [2])
    }

    @Test func aClaimDuringAHoldSleepsUntilTheHoldEnds() {
        var machine = Machine()
        _ = machine.actions(in: Self.context())
        _ = machine.receive(.claimed([1], blockedUntil: nil), in: Self.context())
        #expect(Self.claims(machine.actions(in: Self.context())) == [4], "a claim runs beside the send")
        let held = Self.context(now: 10_000)
        _ = machine.receive(.sent(["a1"], holdUntil: 40_000), in: held)
        let afterClaim = machine.receive(.claimed([1, 2], blockedUntil: 20_000), in: held)
        guard case .sleepUntilDue(blockedUntil: 40_000)? = afterClaim.first else {
            Issue.record("expected a sleep until the later of the hold and the claim's block, got \(afterClaim)")
            return
        }
        #expect(Self.sends(machine.actions(in: held)).isEmpty)
    }

    @Test func anEarlierHoldNeverShortensALaterOne() {
        var machine = Machine()
        _ = machine.actions(in: Self.context())
        _ = machine.receive(.claimed([1, 2], blockedUntil: nil), in: Self.context())
        _ = machine.actions(in: Self.context())
        _ = machine.receive(.sent(["a1"], holdUntil: 40_000), in: Self.context())
        _ = machine.receive(.sent(["a2"], holdUntil: 20_000), in: Self.context())
        #expect(machine.heldUntil == 40_000)
        let actions = machine.actions(in: Self.context(now: 30_000))
        #expect(Self.sends(actions).isEmpty && Self.claims(actions).isEmpty, "nothing is claimed while held")
    }

    @Test func aClaimThatFindsNothingSleepsUntilTheNextDueMessage() {
        var machine = Machine()
        _ = machine.actions(in: Self.context())
        let empty = machine.receive(.claimed([], blockedUntil: nil), in: Self.context())
        guard case .sleepUntilDue(blockedUntil: nil)? = empty.first else {
            Issue.record("expected a sleep until due, got \(empty)")
            return
        }
        #expect(machine.actions(in: Self.context()).isEmpty, "nothing runs until the sleep ends")
        _ = machine.receive(.woke, in: Self.context())
        #expect(Self.claims(machine.actions(in: Self.context())) == [4])

        let filling = machine.receive(.claimed([], blockedUntil: 12_000), in: Self.context())
        guard case .sleepUntilDue(blockedUntil: 12_000)? = filling.first else {
            Issue.record("expected a sleep until the batch fills, got \(filling)")
            return
        }
    }

    @Test func answersThatCameInDuringAWriteAreWrittenTogetherNext() {
        var machine = Machine()
        _ = machine.actions(in: Self.context())
        _ = machine.receive(.claimed([1, 2, 3], blockedUntil: nil), in: Self.context())
        _ = machine.actions(in: Self.context())
        _ = machine.receive(.sent(["a1"], holdUntil: nil), in: Self.context())
        #expect(Self.records(machine.actions(in: Self.context())) == [["a1"]])
        _ = machine.receive(.sent(["a2"], holdUntil: nil), in: Self.context())
        _ = machine.receive(.sent(["a3"], holdUntil: nil), in: Self.context())
        #expect(Self.records(machine.actions(in: Self.context())).isEmpty, "one write at a time")
        let failedWrite = machine.receive(.recorded(keepsPending: true), in: Self.context())
        guard case .wake? = failedWrite.first else {
            Issue.record("a write that leaves a message pending (a retry, or a write given up) wakes the lane")
            return
        }
        #expect(Self.records(machine.actions(in: Self.context())) == [["a2", "a3"]])
    }

    @Test func unwrittenAnswersHoldBackNewSends() {
        var machine = Machine()
        let two = Self.context(concurrency: 2)
        _ = machine.actions(in: two)
        _ = machine.receive(.claimed([1, 2], blockedUntil: nil), in: two)
        _ = machine.actions(in: two)  // sends 1 and 2, claims
        _ = machine.receive(.sent(["a1"], holdUntil: nil), in: two)
        #expect(Self.records(machine.actions(in: two)) == [["a1"]])
        _ = machine.receive(.sent(["a2"], holdUntil: nil), in: two)
        _ = machine.receive(.claimed([3, 4, 5], blockedUntil: nil), in: two)
        #expect(Self.sends(machine.actions(in: two)) == [3, 4], "one answer waits unwritten: below the limit")
        _ = machine.receive(.sent(["a3"], holdUntil: nil), in: two)
        #expect(Self.sends(machine.actions(in: two)).isEmpty, "two answers wait unwritten: no new request")
        _ = machine.receive(.recorded(keepsPending: false), in: two)
        let next = machine.actions(in: two)
        #expect(Self.records(next) == [["a2", "a3"]])
        #expect(Self.sends(next) == [5])
    }

    @Test func aDeeperPipelineClaimsSeveralRoundsAndLetsMoreAnswersWaitUnwritten() {
        var machine = Machine()
        let deep = Machine.Context(now: 10_000, stopped: false, concurrency: 2, depth: 3)
        #expect(Self.claims(machine.actions(in: deep)) == [6], "one claim takes three rounds of two")
        _ = machine.receive(.claimed(Array(1...12), blockedUntil: nil), in: deep)
        let first = machine.actions(in: deep)
        #expect(Self.sends(first) == [1, 2])
        #expect(Self.claims(first).isEmpty, "a round or more is ready: no claim yet")
        _ = machine.receive(.sent(["a1"], holdUntil: nil), in: deep)
        #expect(Self.records(machine.actions(in: deep)) == [["a1"]])
        // While a1's write runs, answers gather; each frees a slot until six wait unwritten.
        for answer in 2...6 {
            _ = machine.receive(.sent(["a\(answer)"], holdUntil: nil), in: deep)
            #expect(Self.sends(machine.actions(in: deep)).count == 1, "\(answer - 1) unwritten: below 2 × 3")
        }
        _ = machine.receive(.sent(["a7"], holdUntil: nil), in: deep)
        #expect(Self.sends(machine.actions(in: deep)).isEmpty, "six answers wait unwritten: no new request")
        _ = machine.receive(.recorded(keepsPending: false), in: deep)
        let next = machine.actions(in: deep)
        #expect(Self.records(next) == [["a2", "a3", "a4", "a5", "a6", "a7"]], "one write takes every waiting answer")
        #expect(Self.sends(next) == [9])
    }

    @Test func shutdownReleasesReadyRequestsAndFinishesOnceInFlightOnesAreWritten() {
        var machine = Machine()
        _ = machine.actions(in: Self.context(concurrency: 2))
        _ = machine.receive(.claimed([1, 2, 3], blockedUntil: nil), in: Self.context(concurrency: 2))
        #expect(Self.sends(machine.actions(in: Self.context(concurrency: 2))) == [1, 2])

        let stopping = Self.context(stopped: true, concurrency: 2)
        let first = machine.actions(in: stopping)
        guard case .release([3])? = first.first else {
            Issue.record("expected the ready request to be released, got \(first)")
            return
        }
        #expect(!Self.finishes(first), "two requests are still in flight")
        _ = machine.receive(.sent(["a1"], holdUntil: nil), in: stopping)
        #expect(Self.records(machine.actions(in: stopping)) == [["a1"]])
        _ = machine.receive(.released, in: stopping)  // shutdown cut the other one off
        #expect(!Self.finishes(machine.actions(in: stopping)), "a1 is still being written")
        _ = machine.receive(.recorded(keepsPending: false), in: stopping)
        #expect(!Self.finishes(machine.actions(in: stopping)), "the claim made before the stop is still out")
        _ = machine.receive(.claimed([4], blockedUntil: nil), in: stopping)
        let last = machine.actions(in: stopping)
        guard case .release([4])? = last.first else {
            Issue.record("expected what the late claim returned to be released, got \(last)")
            return
        }
        #expect(Self.finishes(last))
        #expect(Self.claims(last).isEmpty && Self.sends(last).isEmpty)
    }
}
