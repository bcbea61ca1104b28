import Synchronization

/// Where a lane's work reports back: a send's callback on the event loop, a claim's, a write's
/// or a sleep's task. The lane takes everything reported so far at once, so a busy lane
/// suspends once for many answers rather than once per request.
final class LaneInbox<Event: Sendable>: Sendable {
    private struct State {
        var events: [Event] = []
        var waiter: CheckedContinuation<[Event], Never>?
    }

    private let state = Mutex(State())

    /// Reports `event`, waking the lane when it waits.
    func post(_ event: Event) {
        let waiter = state.withLock { state -> CheckedContinuation<[Event], Never>? in
            guard let waiter = state.waiter else {
                state.events.append(event)
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: [event])
    }

    /// Every event reported since the last call, in order; waits for one when there is none.
    func next() async -> [Event] {
        if let events = take() { return events }
        return await withCheckedContinuation { continuation in
            let events = state.withLock { state -> [Event]? in
                guard state.events.isEmpty else { return take(from: &state) }
                state.waiter = continuation
                return nil
            }
            if let events { continuation.resume(returning: events) }
        }
    }

    private func take() -> [Event]? {
        state.withLock { state in state.events.isEmpty ? nil : take(from: &state) }
    }

    private func take(from state: inout State) -> [Event] {
        defer { state.events = [] }
        return state.events
    }
}
