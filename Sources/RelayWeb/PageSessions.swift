import Foundation
import RelayCore
import Synchronization

/// The settings page's signed-in sessions and its sign-in throttle, in memory: a restart signs
/// everyone out.
final class PageSessions: Sendable {
    private let sessions = Mutex<[String: WebSession]>([:])
    private let throttle = Mutex(SignInThrottle())
    private let installStates = Mutex(OAuthStates())
    let ttl: Int64
    let idleTimeout: Int64

    init(settings: RelayConfiguration.Web) {
        ttl = settings.sessionTTL.milliseconds
        idleTimeout = settings.idleTimeout.milliseconds
    }

    /// Until when `address` must wait before trying to sign in again, if it must.
    func signInBlockedUntil(_ address: String, now: Int64) -> Int64? {
        throttle.withLock { $0.blockedUntil(address, now: now) }
    }

    /// Counts a failed sign-in.
    func signInFailed(_ address: String, now: Int64) {
        throttle.withLock { $0.failed(address, now: now) }
    }

    /// Starts a session for `token` (already checked) and returns it.
    func signIn(token: String, address: String, now: Int64) -> WebSession {
        throttle.withLock { $0.succeeded(address) }
        let session = WebSession(token: token, now: now)
        sessions.withLock { sessions in
            sessions = sessions.filter { $0.value.isLive(now: now, ttl: ttl, idleTimeout: idleTimeout) }
            sessions[session.id] = session
        }
        return session
    }

    /// The live session with cookie value `id`, marked used now; a dead one is forgotten.
    func session(_ id: String, now: Int64) -> WebSession? {
        sessions.withLock { sessions in
            guard var session = sessions[id] else { return nil }
            guard session.isLive(now: now, ttl: ttl, idleTimeout: idleTimeout) else {
                sessions[id] = nil
                return nil
            }
            session.touch(now: now)
            sessions[id] = session
            return session
        }
    }

    /// Whether the session with cookie value `id` is still live, without marking it used (a live
    /// stream does not keep a session from going idle).
    func isLive(_ id: String, now: Int64) -> Bool {
        sessions.withLock { $0[id]?.isLive(now: now, ttl: ttl, idleTimeout: idleTimeout) ?? false }
    }

    /// A new `state` for an OAuth install started by session `id`, valid for `ttl` milliseconds.
    func issueInstallState(for id: String, now: Int64, ttl: Int64) -> String {
        installStates.withLock { $0.issue(session: id, now: now, ttl: ttl) }
    }

    /// Accepts an install's `state` for session `id` once; `nil` when accepted, else why not.
    func redeemInstallState(_ state: String?, for id: String, now: Int64) -> OAuthStates.Refusal? {
        installStates.withLock { $0.redeem(state, session: id, now: now) }
    }

    /// Leaves a message for the session's next page.
    func setNotice(_ notice: String, for id: String) {
        sessions.withLock { $0[id]?.notice = notice }
    }

    /// Takes the session's message, once.
    func takeNotice(for id: String) -> String? {
        sessions.withLock { sessions in
            defer { sessions[id]?.notice = nil }
            return sessions[id]?.notice
        }
    }

    /// Ends a session ("Sign out").
    func signOut(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }
}
