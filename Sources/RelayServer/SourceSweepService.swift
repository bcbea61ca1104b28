import Logging
import RelayCore
import RelayStore
import ServiceLifecycle

/// Brings every source's secret status up to date without traffic (SPEC §12: at least once a
/// minute): a rotation whose grace has ended becomes `SECURE` or `FAILED`, and is logged.
public struct SourceSweepService: Service {
    private let store: AuditStore
    private let interval: Duration
    private let logger: Logger

    /// A sweep of `store`'s sources every `interval`.
    public init(store: AuditStore, interval: Duration = .seconds(30), logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    public func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.sweepOnce(now: WallClock.nowMillis())
                do {
                    try await Task.sleep(for: self.interval)
                } catch {
                    return
                }
            }
        }
    }

    /// Refreshes every source at `now`; a failure is logged and left for the next round.
    func sweepOnce(now: Int64) async {
        do {
            for source in try await store.refreshSources(now: now) {
                let status = source.secrets.status
                logger.log(
                    level: status == .failed ? .warning : .info, "source secret status changed",
                    metadata: [
                        "relay.source": "\(source.name)", "relay.status": "\(status.rawValue)",
                        "relay.reason": "\(source.secrets.reason ?? "")",
                    ])
            }
        } catch is CancellationError {
            return
        } catch {
            logger.error("refreshing sources failed", metadata: ["error": "\(error)"])
        }
    }
}
