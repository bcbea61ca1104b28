import Synchronization

/// Cuts sends off: ``cancel()`` aborts the request each of them is making, and a send that gets
/// to its connection afterwards writes nothing and ends as cancelled. One serves a single
/// awaited send (``awaiting(_:)``) or every send of a lane.
final class SendCancellation: Sendable {
    private struct State {
        var inUse: [ObjectIdentifier: Connection] = [:]
        var cancelled = false
    }

    private let state = Mutex(State())

    /// Notes that a request is about to go on `connection`; `false` when cancelled already.
    func begin(_ connection: Connection) -> Bool {
        state.withLock { state in
            guard !state.cancelled else { return false }
            state.inUse[ObjectIdentifier(connection)] = connection
            return true
        }
    }

    /// Notes that the request on `connection` ended.
    func end(_ connection: Connection) {
        _ = state.withLock { $0.inUse.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    /// Whether ``cancel()`` was called.
    var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Aborts every request in flight and every one that starts from now on.
    func cancel() {
        let inUse = state.withLock { state in
            state.cancelled = true
            defer { state.inUse = [:] }
            return Array(state.inUse.values)
        }
        for connection in inUse { connection.abort(ExchangeError.cancelled) }
    }

    /// Runs a send that reports through a callback, and returns what it reports; cancelling the
    /// task cancels the send.
    static func awaiting<Result: Sendable>(
        _ start: (SendCancellation, @escaping @Sendable (Result) -> Void) -> Void
    ) async -> Result {
        let cancellation = SendCancellation()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                start(cancellation) { continuation.resume(returning: $0) }
            }
        } onCancel: {
            cancellation.cancel()
        }
    }
}
