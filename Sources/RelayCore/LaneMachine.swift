/// What a lane does next, decided from what has happened: a value-type state machine with no
/// I/O, so every decision can be tested without sockets or a store. RelayDelivery's `Lane` is the
/// shell that performs its actions (claims, sends, writes, sleeps) and feeds back their results.
///
/// The rules:
/// - at most `concurrency` requests in flight (1 for Slack: channel order, and a `429` is seen
///   before the next message goes), and no new one while `concurrency × depth` answers wait
///   unwritten;
/// - nothing is sent or claimed while the destination's hold (`429` with `Retry-After`, the latest
///   one asked for) lasts: the lane sleeps until it ends;
/// - claims run beside the sends: when fewer than a round (`concurrency` requests) are ready, one
///   claim takes `depth` rounds, so a busy lane never waits for the store between requests and
///   the store reads and writes in few, large statements; a claim that finds nothing (or a batch
///   still filling) sleeps until the next message is due;
/// - one write of attempts runs at a time and takes every answer that came in meanwhile;
/// - once stopped, ready requests are released, and the lane finishes when every request in
///   flight is answered and written.
///
/// ```swift
/// var machine = LaneMachine<Request, AttemptRecord>()
/// for action in machine.actions(in: context) { … }   // .claim(requests: 4)
/// machine.receive(.claimed(requests, blockedUntil: nil), in: context)
/// machine.receive(.sent(records, holdUntil: nil), in: context)
/// ```
public struct LaneMachine<Request, Record> {
    /// What happened.
    public enum Event {
        /// A claim returned `requests`; `blockedUntil` when nothing may go before then (a hold,
        /// a rate limit, a batch still filling).
        case claimed([Request], blockedUntil: Int64?)
        /// A request was answered (or failed): its attempts, decided and not yet written, and,
        /// when the destination asked to wait (`429` with `Retry-After`), until when.
        case sent([Record], holdUntil: Int64?)
        /// Shutdown cut a request off before any answer; its messages went back to the queue.
        case released
        /// A write of attempts finished; `keepsPending` when a message waits for a retry.
        case recorded(keepsPending: Bool)
        /// A sleep ended (its time came, or the lane was woken).
        case woke
    }

    /// What to do.
    public enum Action {
        case claim(requests: Int)
        case send(Request)
        /// Write these attempts (one write at a time).
        case record([Record])
        /// Sleep until this Unix-millisecond time, or until woken.
        case sleep(until: Int64)
        /// Sleep until the webhook's next message is due (or `blockedUntil`, when set).
        case sleepUntilDue(blockedUntil: Int64?)
        /// End a sleep now: a retry was scheduled and the next due time may be earlier.
        case wake
        /// Give claimed requests back to the queue unsent.
        case release([Request])
        /// Every request is answered and written: the lane is done.
        case finish
    }

    /// What the lane knows at the moment of a decision.
    public struct Context {
        public var now: Int64
        public var stopped: Bool
        /// Requests allowed in flight at once.
        public var concurrency: Int
        /// How many rounds of `concurrency` requests the pipeline holds on either side of the
        /// sends: one claim takes this many rounds, and this many rounds of answers may wait
        /// unwritten before new sends hold back.
        public var depth: Int

        @inlinable
        public init(now: Int64, stopped: Bool, concurrency: Int, depth: Int = 1) {
            self.now = now
            self.stopped = stopped
            self.concurrency = concurrency
            self.depth = depth
        }
    }

    /// Unix milliseconds before which nothing is sent or claimed: the latest hold a destination
    /// asked for.
    @inlinable public var heldUntil: Int64 { holdEnd }

    @inlinable public init() {}

    // The lane calls this machine for every message, across a module boundary: its state is
    // `@usableFromInline` and its members `@inlinable` so the compiler can specialise them for
    // the lane's types rather than go through generic metadata at every call.
    @usableFromInline var holdEnd: Int64 = 0
    @usableFromInline var ready: [Request] = []
    @usableFromInline var inFlight = 0
    @usableFromInline var unrecorded: [Record] = []
    @usableFromInline var recording = false
    @usableFromInline var claiming = false
    @usableFromInline var sleeping = false
    @usableFromInline var finished = false

    /// Takes in what happened; the next ``actions(in:)`` acts on it.
    @inlinable
    public mutating func receive(_ event: Event, in context: Context) -> [Action] {
        switch event {
        case .woke:
            sleeping = false
        case .sent(let records, let holdUntil):
            inFlight -= 1
            unrecorded += records
            holdEnd = max(holdEnd, holdUntil ?? 0)
        case .released:
            inFlight -= 1
            return [.wake]
        case .recorded(let keepsPending):
            recording = false
            if keepsPending { return [.wake] }
        case .claimed(let requests, let blockedUntil):
            claiming = false
            ready += requests
            let held = heldUntil > context.now ? heldUntil : nil
            let blocked = held.map { max($0, blockedUntil ?? 0) } ?? blockedUntil
            if requests.isEmpty || blocked != nil, !sleeping, !context.stopped {
                sleeping = true
                return [.sleepUntilDue(blockedUntil: blocked)]
            }
        }
        return []
    }

    /// What to start now.
    @inlinable
    public mutating func actions(in context: Context) -> [Action] {
        guard !finished else { return [] }
        var actions: [Action] = []
        if !recording, !unrecorded.isEmpty {
            recording = true
            actions.append(.record(unrecorded))
            unrecorded = []
        }
        if context.stopped {
            if !ready.isEmpty {
                actions.append(.release(ready))
                ready = []
            }
            if !sleeping, !claiming, inFlight == 0, !recording {
                finished = true
                actions.append(.finish)
            }
            return actions
        }
        if heldUntil > context.now {
            if !sleeping {
                sleeping = true
                actions.append(.sleep(until: heldUntil))
            }
            return actions
        }
        if unrecorded.count < context.concurrency * context.depth {
            // The ready list shifts once per decision, not once per request it lets go.
            let count = min(max(0, context.concurrency - inFlight), ready.count)
            actions += ready.prefix(count).map { .send($0) }
            ready.removeFirst(count)
            inFlight += count
        }
        // Something is always running now (a claim, a send, a write or a sleep), so the lane is
        // woken again by its result.
        if !claiming, !sleeping, ready.count < context.concurrency {
            claiming = true
            actions.append(.claim(requests: context.concurrency * context.depth))
        }
        return actions
    }
}

extension LaneMachine.Event: Sendable where Request: Sendable, Record: Sendable {}
