/// A source's secret token and its status (SPEC §12, the Jira DVCS indicators): which secrets
/// are accepted, which senders have signed with which, and how a rotation ends. A value type
/// with the clock passed in; the store keeps it, the inbound route and a periodic sweep bring it
/// up to date.
///
/// ```swift
/// var secrets = SourceSecrets(secret: "whsec_…", now: now)      // PENDING
/// secrets.verified(sender: "acme/api", secret: "whsec_…", now: now) // SECURE
/// secrets.rotate(to: "whsec_new…", grace: 86_400_000, now: now)  // CONFIGURING, 0 of 1 switched
/// ```
public struct SourceSecrets: Sendable, Equatable, Codable {
    /// The status a source's page and API show.
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// A secret exists but no request signed with it has been verified yet.
        case pending = "PENDING"
        /// Requests are verified with the current secret.
        case secure = "SECURE"
        /// A new secret was made; the previous one is accepted until every sender has switched or
        /// the deadline passes.
        case configuring = "CONFIGURING"
        /// The deadline passed with senders still on the previous secret, which is no longer
        /// accepted.
        case failed = "FAILED"
    }

    /// A sender seen verified: a repository, an organization, a Jira site.
    public struct Sender: Sendable, Equatable, Codable {
        public var name: String
        /// Unix milliseconds.
        public var lastVerifiedAt: Int64
        /// Whether its last verified request was signed with the current secret.
        public var onCurrentSecret: Bool
    }

    /// How far back a rotation looks for the senders that must switch: 30 days.
    public static let senderWindow: Int64 = 30 * 86_400_000

    public private(set) var status: Status
    /// The secret new requests should be signed with.
    public private(set) var current: String
    /// The secret before the last rotation, accepted while ``Status/configuring``.
    public private(set) var previous: String?
    /// When a rotation's grace ends (Unix milliseconds), while configuring.
    public private(set) var deadline: Int64?
    /// Every sender verified so far, by name.
    public private(set) var senders: [String: Sender]
    /// The senders the last rotation waits for (seen in the 30 days before it).
    public private(set) var awaited: Set<String>

    /// A new source's secret: ``Status/pending``.
    public init(secret: String, now: Int64) {
        status = .pending
        current = secret
        previous = nil
        deadline = nil
        senders = [:]
        awaited = []
    }

    /// The secrets a request may be signed with, current first.
    public var accepted: [String] { [current] + (status == .configuring ? [previous].compactMap { $0 } : []) }

    /// How many of the awaited senders sign with the current secret, of how many.
    public var progress: (switched: Int, total: Int) {
        (awaited.filter { senders[$0]?.onCurrentSecret == true }.count, awaited.count)
    }

    /// The awaited senders still on the previous secret, by name.
    public var lagging: [String] {
        awaited.filter { senders[$0]?.onCurrentSecret != true }.sorted()
    }

    /// Why the status is what it is, for people; `nil` when secure.
    public var reason: String? {
        switch status {
        case .secure: nil
        case .pending: "no request signed with the current secret has been verified yet"
        case .configuring:
            progress.total == 0
                ? "waiting for the first request signed with the new secret"
                : "\(progress.switched) of \(progress.total) senders use the new secret"
        case .failed:
            "the grace period ended with \(lagging.joined(separator: ", ")) still signing with the previous secret"
        }
    }

    /// A request from `sender`, verified with `secret`, at `now`. Returns `false`, changing
    /// nothing but the refresh, when `secret` is no longer accepted: a rotation or a deadline came
    /// between the check and this update. Senders not seen for 30 days are forgotten.
    public mutating func verified(sender: String, secret: String, now: Int64) -> Bool {
        refresh(now: now)
        guard let secretIndex = accepted.firstIndex(of: secret) else { return false }
        senders = senders.filter { $0.value.lastVerifiedAt >= now - Self.senderWindow }
        let onCurrent = secretIndex == 0
        senders[sender] = Sender(name: sender, lastVerifiedAt: now, onCurrentSecret: onCurrent)
        guard onCurrent else { return true }
        switch status {
        case .pending: status = .secure
        case .configuring, .failed: if lagging.isEmpty { settle() }
        case .secure: break
        }
        return true
    }

    /// "Change secret token": `secret` becomes current. With a `grace` (milliseconds) the previous
    /// secret is accepted until every sender seen in the last 30 days has switched or the grace
    /// ends; with none it is dropped at once and the status is ``Status/pending``.
    public mutating func rotate(to secret: String, grace: Int64, now: Int64) {
        awaited = Set(senders.values.filter { $0.lastVerifiedAt >= now - Self.senderWindow }.map(\.name))
        for name in senders.keys { senders[name]?.onCurrentSecret = false }
        if grace > 0 {
            previous = current
            deadline = now + grace
            status = .configuring
        } else {
            previous = nil
            deadline = nil
            awaited = []
            status = .pending
        }
        current = secret
    }

    /// Brings the status up to date at `now`: a rotation whose deadline has passed ends.
    public mutating func refresh(now: Int64) {
        guard status == .configuring, let deadline, now >= deadline else { return }
        previous = nil
        self.deadline = nil
        // With senders still lagging the rotation failed; with none, nobody was awaited and no
        // request has come with the new secret yet (the first one would have settled it).
        status = lagging.isEmpty ? .pending : .failed
    }

    /// Every awaited sender switched: ``progress`` keeps showing them, all switched.
    private mutating func settle() {
        status = .secure
        previous = nil
        deadline = nil
    }
}
