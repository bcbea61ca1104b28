import Synchronization

/// The messages this process has claimed and not yet recorded or released: the delivery lease,
/// kept in memory rather than written per message (one relay process owns a store, and a restart
/// makes every pending message claimable again).
///
/// A claim reads the queue from a snapshot. A message recorded while that snapshot is being read
/// may still look due in it, so a finished message stays excluded from every claim that began
/// before it finished; claims that begin later see the recorded state.
final class InFlightMessages: Sendable {
    private struct State {
        var claimed: Set<Int64> = []
        /// Finished messages, by the sequence number of their finishing, kept while a claim that
        /// began earlier is still running.
        var finished: [(sequence: UInt64, rowIDs: [Int64])] = []
        var sequence: UInt64 = 0
        /// Running claims, by the sequence number at their start.
        var claims: [UInt64: Int] = [:]

        func excluded(since start: UInt64) -> Set<Int64> {
            var excluded = claimed
            for batch in finished where batch.sequence > start { excluded.formUnion(batch.rowIDs) }
            return excluded
        }

        mutating func endClaim(_ token: UInt64) {
            claims[token, default: 1] -= 1
            if claims[token] == 0 { claims[token] = nil }
            let oldest = claims.keys.min() ?? sequence
            finished.removeAll { $0.sequence <= oldest }
        }
    }

    private let state = Mutex(State())

    /// Starts a claim: call before its read begins. Returns the token ``finishClaim`` needs.
    func beginClaim() -> UInt64 {
        state.withLock { state in
            state.claims[state.sequence, default: 0] += 1
            return state.sequence
        }
    }

    /// The row ids a claim that began at `token` must skip (as of now).
    func excluded(since token: UInt64) -> Set<Int64> {
        state.withLock { $0.excluded(since: token) }
    }

    /// Ends a claim: takes, in order and up to `limit`, the `candidates` (row ids) no one holds,
    /// holds them, and returns them.
    func finishClaim(_ token: UInt64, candidates: [Int64], limit: Int) -> [Int64] {
        state.withLock { state in
            let excluded = state.excluded(since: token)
            let taken = Array(candidates.lazy.filter { !excluded.contains($0) }.prefix(limit))
            state.claimed.formUnion(taken)
            state.endClaim(token)
            return taken
        }
    }

    /// Ends a claim that takes nothing (it failed, or its batch is still filling).
    func cancelClaim(_ token: UInt64) {
        state.withLock { $0.endClaim(token) }
    }

    /// Lets go of messages once their attempts or release are committed.
    func finish(_ rowIDs: [Int64]) {
        guard !rowIDs.isEmpty else { return }
        state.withLock { state in
            state.claimed.subtract(rowIDs)
            state.sequence += 1
            if !state.claims.isEmpty { state.finished.append((state.sequence, rowIDs)) }
        }
    }

    /// Whether the message with `rowID` is claimed now.
    func contains(_ rowID: Int64) -> Bool {
        state.withLock { $0.claimed.contains(rowID) }
    }

    /// The row ids claimed now.
    var claimed: Set<Int64> { state.withLock { $0.claimed } }
}
