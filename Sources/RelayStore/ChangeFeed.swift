import Synchronization

/// Tells the dispatcher what changed in the store: which webhooks got new due messages, and
/// whether any webhook's definition or state changed. Changes coalesce until read.
///
/// ```swift
/// for await _ in store.changes.notifications {
///     let change = store.changes.take()
/// }
/// ```
public final class ChangeFeed: Sendable {
    /// What accumulated since the last ``take()``.
    public struct Change: Sendable, Equatable {
        /// Webhooks with newly queued or released messages.
        public var queuedFor: Set<String> = []
        /// Whether webhooks were added, changed, paused, resumed or removed.
        public var webhooksChanged = false
    }

    /// Yields whenever something was recorded; read the change with ``take()``.
    public let notifications: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let pending = Mutex(Change())

    init() {
        (notifications, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func queued(for webhookIDs: some Sequence<String>) {
        pending.withLock { $0.queuedFor.formUnion(webhookIDs) }
        continuation.yield()
    }

    public func webhooksChanged() {
        pending.withLock { $0.webhooksChanged = true }
        continuation.yield()
    }

    /// Returns and clears what accumulated.
    public func take() -> Change {
        pending.withLock { change in
            defer { change = Change() }
            return change
        }
    }
}
