import Foundation

/// A signed-in session of the settings page (SPEC §10): made when an admin token is exchanged for
/// a cookie, ended by "Sign out", by `web.idleTimeout` without use, or by `web.sessionTTL` in all.
/// The token itself is not kept; the session remembers only its fingerprint (who signed in).
public struct WebSession: Sendable, Equatable {
    /// The cookie's value: 32 random bytes, base64url.
    public let id: String
    /// Sent with every form and checked on every change (the CSRF token).
    public let formToken: String
    /// The first 12 hex digits of the admin token's SHA-256.
    public let tokenFingerprint: String
    public let createdAt: Int64
    public private(set) var lastUsedAt: Int64
    /// A one-time message for the next page shown ("Webhook 'SIEM' created.").
    public var notice: String?

    /// A new session for the admin token `token`, signed in at `now`.
    public init(token: String, now: Int64) {
        id = RandomText.make()
        formToken = RandomText.make()
        tokenFingerprint = ChangeOrigin.fingerprint(ofToken: token)
        createdAt = now
        lastUsedAt = now
    }

    /// Whether the session still holds at `now`: used within `idleTimeout` and younger than `ttl`
    /// (both in milliseconds).
    public func isLive(now: Int64, ttl: Int64, idleTimeout: Int64) -> Bool {
        now < createdAt + ttl && now < lastUsedAt + idleTimeout
    }

    /// Marks the session used at `now`.
    public mutating func touch(now: Int64) {
        lastUsedAt = max(lastUsedAt, now)
    }

    /// Whether `presented` is this session's form token, compared in constant time.
    public func acceptsFormToken(_ presented: String) -> Bool {
        ConstantTime.equal(formToken.utf8, presented.utf8)
    }
}

/// Slows down repeated sign-in failures from one address (SPEC §10): after `freeFailures`
/// failures, each further attempt must wait, twice as long each time up to `maxDelay`; a success
/// clears the address. Failures older than `forgetAfter` are forgotten.
///
/// ```swift
/// if let until = throttle.blockedUntil(address, now: now) { … answer 429 until `until` … }
/// throttle.failed(address, now: now)
/// ```
public struct SignInThrottle: Sendable {
    public var freeFailures = 3
    /// Milliseconds.
    public var firstDelay: Int64 = 1000
    public var maxDelay: Int64 = 60_000
    public var forgetAfter: Int64 = 15 * 60_000
    private var failures: [String: (count: Int, last: Int64)] = [:]

    public init() {}

    /// Until when `address` may not try again, if it is held back now.
    public func blockedUntil(_ address: String, now: Int64) -> Int64? {
        guard let entry = failures[address], entry.count >= freeFailures, now - entry.last < forgetAfter else {
            return nil
        }
        let doublings = min(entry.count - freeFailures, 20)
        let until = entry.last + min(firstDelay << Int64(doublings), maxDelay)
        return until > now ? until : nil
    }

    /// Counts a failed attempt from `address` at `now`.
    public mutating func failed(_ address: String, now: Int64) {
        let previous = failures[address].flatMap { now - $0.last < forgetAfter ? $0.count : nil } ?? 0
        failures[address] = (previous + 1, now)
        if failures.count > 10_000 { failures = failures.filter { now - $0.value.last < forgetAfter } }
    }

    /// A success from `address` clears its failures.
    public mutating func succeeded(_ address: String) {
        failures[address] = nil
    }
}
