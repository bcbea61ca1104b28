import Foundation
import Hummingbird
import RelayCore

/// One line of the Deliveries view: one message of an attempt (a batch shows a line for each).
struct DeliveryRow: Encodable {
    /// When the attempt started (RFC 3339) and the same shown to the second, in UTC.
    let time: String
    let shownTime: String
    let webhook: String
    let eventType: String
    let eventId: String
    let messageId: String
    let attempt: Int
    let status: String
    let duration: String
    let outcome: String
    let error: String?
    /// Whether "Retry" applies: the message ended without being delivered.
    let retryable: Bool

    /// The lines of `attempt`.
    static func rows(of attempt: AttemptResource) -> [DeliveryRow] {
        attempt.carriedMessages.map { message in
            DeliveryRow(
                time: attempt.startedAt, shownTime: shown(attempt.startedAt), webhook: attempt.webhookName,
                eventType: message.eventType,
                eventId: message.eventId, messageId: message.messageId, attempt: message.attempt,
                status: attempt.httpStatus.map(String.init) ?? "–", duration: "\(attempt.durationMs) ms",
                outcome: message.outcome.rawValue, error: message.outcome == .delivered ? nil : message.error,
                retryable: [.failed, .expired].contains(message.outcome))
        }
    }
}

/// An RFC 3339 time as the page shows it: `2026-12-05 09:57:10 UTC`.
func shown(_ time: String) -> String {
    guard time.count >= 19 else { return time }
    return time.prefix(19).replacingOccurrences(of: "T", with: " ") + " UTC"
}

/// The Deliveries view's filters as its query names them (`webhook`, `status`, `type`); an empty
/// or unknown value filters nothing.
struct DeliveryFilters {
    let webhook: String?
    let outcome: AttemptOutcome?
    let eventType: String?

    init(_ parameters: Parameters) {
        webhook = parameters["webhook"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        outcome = parameters["status"].flatMap { AttemptOutcome(rawValue: String($0)) }
        eventType = parameters["type"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// A webhook's health line in the Deliveries view.
struct HealthRow {
    let name: String
    let queueDepth: Int
    let oldestPendingAt: String
    let lastSuccessAt: String
    let lastFailureAt: String
    let lastFailureReason: String?

    init(_ webhook: WebhookResource) {
        name = webhook.name
        queueDepth = webhook.health.queueDepth
        oldestPendingAt = webhook.health.oldestPendingAt ?? "–"
        lastSuccessAt = webhook.health.lastSuccessAt ?? "–"
        lastFailureAt = webhook.health.lastFailureAt ?? "–"
        lastFailureReason = webhook.health.lastFailureReason
    }
}

/// A choice in a filter's list.
struct FilterOption {
    let value: String
    let label: String
    let selected: Bool
}
