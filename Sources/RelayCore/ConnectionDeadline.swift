/// When the server closes a client connection that is not sending a request (SPEC §1
/// `server.headerTimeout`, `server.idleTimeout`): a value-type state machine, fed what happens on
/// the connection, that says by when the next thing must happen.
///
/// - A new connection, and a kept-alive one whose next request has begun to arrive, must deliver
///   the request's head within the header time-out: a client that opens connections and sends half
///   a head (or nothing) holds a file descriptor for seconds, not forever.
/// - Between requests, a kept-alive connection may sit unused for the idle time-out.
/// - While a request is being answered there is no deadline (the request's own limits apply).
///
/// ```swift
/// var deadline = ConnectionDeadline(headerTimeout: 10_000, idleTimeout: 60_000, now: now)
/// deadline.bytesArrived(now: now)      // the first bytes of a request
/// deadline.headArrived()               // no deadline until the response is written
/// deadline.responseFinished(now: now)  // idle from now
/// deadline.closesAt                    // Unix ms, or nil
/// ```
public struct ConnectionDeadline: Sendable, Equatable {
    /// Milliseconds a request's head may take to arrive.
    public let headerTimeout: Int64
    /// Milliseconds a kept-alive connection may wait for its next request.
    public let idleTimeout: Int64
    /// When the connection is closed unless something happens first (Unix ms); `nil` while a request
    /// is being answered.
    public private(set) var closesAt: Int64?
    /// Requests whose head has arrived and whose response has not been written.
    private var requestsInProgress = 0
    /// Whether the connection is between requests with nothing of the next one read yet.
    private var idle = false

    /// A connection accepted at `now`: its first request's head is due within the header time-out.
    public init(headerTimeout: Int64, idleTimeout: Int64, now: Int64) {
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        closesAt = now + headerTimeout
    }

    /// Bytes came in: on an idle connection they start the next request, whose head is now due.
    public mutating func bytesArrived(now: Int64) {
        guard idle else { return }
        idle = false
        closesAt = now + headerTimeout
    }

    /// A request's head was read: no deadline until its response is written.
    public mutating func headArrived() {
        requestsInProgress += 1
        idle = false
        closesAt = nil
    }

    /// A response was written in full; with no other request in progress the connection is idle.
    public mutating func responseFinished(now: Int64) {
        requestsInProgress = max(0, requestsInProgress - 1)
        guard requestsInProgress == 0 else { return }
        idle = true
        closesAt = now + idleTimeout
    }

    /// Whether the connection should be closed at `now`.
    public func isExpired(now: Int64) -> Bool {
        closesAt.map { now >= $0 } ?? false
    }
}
