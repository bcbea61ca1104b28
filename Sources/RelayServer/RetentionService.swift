import Logging
import RelayCore
import RelayStore
import ServiceLifecycle

/// The retention service: removes attempts, finished messages and events older than
/// `retention`, at start and then every `interval`, in small batches beside ingest.
///
/// Pending messages are never removed by retention; they leave the queue by being delivered,
/// failing or expiring. On graceful shutdown the service stops between two batches and returns.
///
/// ```swift
/// let retention = RetentionService(store: store, retention: configuration.retention, logger: logger)
/// let group = ServiceGroup(services: [dispatcher, retention], logger: logger)
/// ```
public struct RetentionService: Service {
    private let store: AuditStore
    private let retention: RelayDuration
    private let interval: Duration
    private let batchSize: Int
    private let logger: Logger

    /// A service keeping `retention` of history in `store`.
    ///
    /// - Parameters:
    ///   - interval: the pause between two prunes.
    ///   - batchSize: most rows removed in one write transaction.
    public init(
        store: AuditStore, retention: RelayDuration, interval: Duration = .seconds(60), batchSize: Int = 1000,
        logger: Logger
    ) {
        self.store = store
        self.retention = retention
        self.interval = interval
        self.batchSize = batchSize
        self.logger = logger
    }

    public func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.pruneOnce(now: WallClock.nowMillis())
                do {
                    try await Task.sleep(for: self.interval)
                } catch {
                    return
                }
            }
        }
    }

    /// Prunes what is older than `now - retention` and logs what was removed; a failure is
    /// logged and left for the next round.
    @discardableResult
    func pruneOnce(now: Int64) async -> PruneReport? {
        do {
            let report = try await store.prune(olderThan: now - retention.milliseconds, batchSize: batchSize)
            if !report.isEmpty {
                logger.info(
                    "pruned records older than the retention period",
                    metadata: [
                        "relay.pruned.attempts": "\(report.attempts)", "relay.pruned.messages": "\(report.messages)",
                        "relay.pruned.events": "\(report.events)",
                    ])
            }
            return report
        } catch is CancellationError {
            return nil
        } catch {
            logger.error("pruning old records failed", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
