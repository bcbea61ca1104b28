import NIOCore
import Synchronization

/// The kept-alive connections the lanes share, per ``ConnectionKey``.
///
/// A connection is taken for one request and put back when its response is read whole. It is
/// not reused once it is older than `maxAge` (so a changed DNS record takes effect) and is
/// closed after `idleTimeout` unused; one the destination closed while idle leaves the pool as
/// it closes.
final class ConnectionPool: Sendable {
    private struct Idle {
        var connection: Connection
        var since: NIODeadline
    }

    private struct State {
        var idle: [ConnectionKey: [Idle]] = [:]
        var closed = false
    }

    private let state = Mutex(State())
    private let maxAge: TimeAmount
    private let idleTimeout: TimeAmount
    private let maxIdlePerKey: Int
    private let sweep: Mutex<RepeatedTask?> = Mutex(nil)

    init(maxAge: TimeAmount, idleTimeout: TimeAmount, maxIdlePerKey: Int, sweepingOn loop: any EventLoop) {
        self.maxAge = maxAge
        self.idleTimeout = idleTimeout
        self.maxIdlePerKey = maxIdlePerKey
        let every = min(idleTimeout, maxAge, .seconds(5))
        let task = loop.scheduleRepeatedTask(initialDelay: every, delay: every) { [weak self] _ in
            self?.closeExpired()
        }
        sweep.withLock { $0 = task }
    }

    /// The most recently used open connection for `key` that is young enough, if any; with
    /// `loop`, only one that lives on that event loop.
    ///
    /// A lane passes its own loop (``Connector/preferredLoop``): a connection on another loop
    /// would hand every request and every answer between two threads. Taking such connections
    /// when nothing else was idle kept a resumed lane on them for good: they were put back after
    /// each request, so the lane never opened its own (measured in the same minutes, a drain so
    /// handed over took a fifth more CPU per event than with this rule; docs/PERFORMANCE.md).
    func take(_ key: ConnectionKey, on loop: (any EventLoop)? = nil) -> Connection? {
        let now = NIODeadline.now()
        var expired: [Connection] = []
        let found = state.withLock { state -> Connection? in
            // Out of the dictionary while it is searched, and back once: the key (a host name) is
            // hashed twice per request, not at every look.
            guard var idle = state.idle.removeValue(forKey: key) else { return nil }
            defer { if !idle.isEmpty { state.idle[key] = idle } }
            // Newest first; removing one leaves the indices still to look at where they were.
            for index in idle.indices.reversed() {
                let connection = idle[index].connection
                guard connection.channel.isActive, now - connection.openedAt < maxAge else {
                    expired.append(idle.remove(at: index).connection)
                    continue
                }
                if let loop, connection.channel.eventLoop !== loop { continue }
                return idle.remove(at: index).connection
            }
            return nil
        }
        expired.forEach { $0.channel.close(promise: nil) }
        return found
    }

    /// Keeps `connection` for the next request to its key, or closes it when it is too old, the
    /// key has enough idle connections, or the pool is closed.
    func putBack(_ connection: Connection) {
        let now = NIODeadline.now()
        let kept = state.withLock { state -> Bool in
            guard !state.closed, connection.channel.isActive, now - connection.openedAt < maxAge else { return false }
            return keepIdle(Idle(connection: connection, since: now), in: &state.idle[connection.key, default: []])
        }
        if !kept { connection.channel.close(promise: nil) }
    }

    /// Appends `idle` to its key's list (looked up once) unless the list is full.
    private func keepIdle(_ idle: Idle, in list: inout [Idle]) -> Bool {
        guard list.count < maxIdlePerKey else { return false }
        list.append(idle)
        return true
    }

    /// Closes every idle connection; connections in use are closed as they come back.
    func close() {
        sweep.withLock { $0?.cancel() }
        let idle = state.withLock { state -> [Idle] in
            state.closed = true
            defer { state.idle = [:] }
            return state.idle.values.flatMap { $0 }
        }
        idle.forEach { $0.connection.channel.close(promise: nil) }
    }

    /// Closes idle connections that are closed already, unused for `idleTimeout` or too old.
    private func closeExpired() {
        let now = NIODeadline.now()
        let expired = state.withLock { state -> [Connection] in
            var expired: [Connection] = []
            for key in Array(state.idle.keys) {
                state.idle[key]?.removeAll { idle in
                    let stale =
                        !idle.connection.channel.isActive || now - idle.since >= idleTimeout
                        || now - idle.connection.openedAt >= maxAge
                    if stale { expired.append(idle.connection) }
                    return stale
                }
                if state.idle[key]?.isEmpty == true { state.idle[key] = nil }
            }
            return expired
        }
        expired.forEach { $0.channel.close(promise: nil) }
    }
}
