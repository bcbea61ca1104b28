import Foundation

/// The outcome recorded for one attempt (SPEC §7).
public enum AttemptOutcome: String, Sendable, Codable, CaseIterable {
    case delivered
    case retrying
    case failed
    case paused
    case disabled
    case expired

    /// Whether this outcome stops its webhook (`paused` or `disabled`).
    @inlinable public var stopsWebhook: Bool { self == .paused || self == .disabled }
}
