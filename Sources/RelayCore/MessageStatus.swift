/// Where a message stands (SPEC §7): waiting in its webhook's queue, or finished.
public enum MessageStatus: String, Sendable, Codable, CaseIterable {
    /// In the queue: due now or later, or held while its webhook is paused or disabled.
    case pending
    case delivered
    case failed
    case expired

    /// The statuses a message can leave the queue with; replay takes only these.
    public static let finished: [MessageStatus] = [.delivered, .failed, .expired]

    /// The status an attempt with `outcome` leaves its message in: a retry, a pause or a
    /// disabled webhook keeps it in the queue.
    public init(after outcome: AttemptOutcome) {
        switch outcome {
        case .delivered: self = .delivered
        case .failed: self = .failed
        case .expired: self = .expired
        case .retrying, .paused, .disabled: self = .pending
        }
    }
}
