import RelayCore
import Synchronization

/// The URL rules' verdicts on destination URLs, remembered: a lane checks its URL before every
/// request (SPEC §3.1), and the rules are pure, so a URL once judged needs no second look.
final class URLChecks: Sendable {
    private let verdicts = Mutex<[String: String?]>([:])
    /// More distinct URLs than this and the memory starts afresh (webhooks are few).
    private static let capacity = 4096

    /// Why `url` breaks the URL rules, or `nil` when it does not.
    func problem(_ url: String) -> String? {
        if let known = verdicts.withLock({ $0[url] }) { return known }
        let verdict = DestinationURL.problem(url)
        verdicts.withLock { verdicts in
            if verdicts.count >= Self.capacity { verdicts.removeAll() }
            verdicts[url] = verdict
        }
        return verdict
    }
}
