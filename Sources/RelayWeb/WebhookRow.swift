import Foundation
import RelayCore

/// One row of the webhooks table as the page shows it; every value is text (the templates
/// escape it).
struct WebhookRow {
    let id: String
    let name: String
    let kind: String
    /// "All event types", "1 event type", "3 event types".
    let eventSummary: String
    /// The subscriptions, one per line, for the tooltip.
    let eventList: String
    let state: String
    let stateReason: String?
    /// Whether "Resume" applies: the webhook is paused or disabled.
    let resumable: Bool

    init(_ webhook: WebhookResource) {
        id = webhook.id
        name = webhook.name
        kind = webhook.kind == .slack ? "Slack" : "Custom"
        eventSummary = Self.summary(of: webhook.events)
        eventList = webhook.events.joined(separator: "\n")
        state = webhook.state.rawValue.capitalized
        stateReason = webhook.stateReason
        resumable = webhook.state != .active
    }

    /// How many event types a webhook receives, in words (SPEC §10 item 1).
    static func summary(of events: [String]) -> String {
        if events.contains("*") { return "All event types" }
        return events.count == 1 ? "1 event type" : "\(events.count) event types"
    }
}
