/// The `state` values of OAuth installs in progress (SPEC §11): random, bound to the page session
/// that asked, valid for a time-to-live, good once. A value type with the clock passed in.
///
/// ```swift
/// let state = states.issue(session: session.id, now: now, ttl: ttl)
/// if let refusal = states.redeem(state, session: session.id, now: later) { … refusal.reason … }
/// ```
public struct OAuthStates: Sendable {
    /// Why a `state` is not accepted, in words for the page.
    public enum Refusal: String, Sendable, Equatable {
        case missing = "Slack's answer carried no state"
        case unknown = "the install was not started from this page (unknown state); start it again"
        case expired = "the install took too long (the state expired); start it again"
        case used = "that install was already completed (the state was used); start it again"
        case otherSession = "the install was started by another sign-in; start it again"
    }

    private struct Entry: Sendable {
        let session: String
        let expiresAt: Int64
        var used = false
    }

    private var entries: [String: Entry] = [:]

    public init() {}

    /// How long an expired or used state is remembered, to say so rather than "unknown".
    public static let remembered: Int64 = 3_600_000

    /// A new state for `session`, valid for `ttl` milliseconds. States expired for more than
    /// ``remembered`` are forgotten.
    public mutating func issue(session: String, now: Int64, ttl: Int64) -> String {
        entries = entries.filter { $0.value.expiresAt + Self.remembered > now }
        let state = RandomText.make()
        entries[state] = Entry(session: session, expiresAt: now + ttl)
        return state
    }

    /// Accepts `state` for `session` once; `nil` when accepted, else why not.
    public mutating func redeem(_ state: String?, session: String, now: Int64) -> Refusal? {
        guard let state, !state.isEmpty else { return .missing }
        guard var entry = entries[state] else { return .unknown }
        guard !entry.used else { return .used }
        guard entry.expiresAt > now else { return .expired }
        guard entry.session == session else { return .otherSession }
        entry.used = true
        entries[state] = entry
        return nil
    }
}
