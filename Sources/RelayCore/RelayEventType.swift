/// The event types of the relay's own audit events (SPEC §13): one per kind of change made
/// through the API, the CLI or the page, per sign-in, and per decision the relay takes itself.
/// They are in the catalogue (`GET /v1/event-types`), so a webhook can subscribe to
/// `auditrelay.*`.
public enum RelayEventType: String, Sendable, CaseIterable {
    case webhookCreated = "auditrelay.webhook.created"
    case webhookUpdated = "auditrelay.webhook.updated"
    case webhookDeleted = "auditrelay.webhook.deleted"
    case webhookResumed = "auditrelay.webhook.resumed"
    case webhookPaused = "auditrelay.webhook.paused"
    case webhookDisabled = "auditrelay.webhook.disabled"
    case secretAdded = "auditrelay.webhook.secret_added"
    case secretRemoved = "auditrelay.webhook.secret_removed"
    case authorizationSet = "auditrelay.webhook.authorization_set"
    case authorizationCleared = "auditrelay.webhook.authorization_cleared"
    case slackInstalled = "auditrelay.slack.installed"
    case sourceCreated = "auditrelay.source.created"
    case sourceUpdated = "auditrelay.source.updated"
    case sourceDeleted = "auditrelay.source.deleted"
    case sourceSecretRotated = "auditrelay.source.secret_rotated"
    case sourceSecretRevealed = "auditrelay.source.secret_revealed"
    case sourceStatusChanged = "auditrelay.source.status_changed"
    case signedIn = "auditrelay.session.signed_in"
    case signInFailed = "auditrelay.session.sign_in_failed"
    case signedOut = "auditrelay.session.signed_out"

    /// What the catalogue says of the type.
    public var description: String {
        switch self {
        case .webhookCreated: "A webhook was created (API, CLI, page or the configuration file)"
        case .webhookUpdated: "A webhook's settings were changed (the fields are named, never their values)"
        case .webhookDeleted: "A webhook and its queue were deleted"
        case .webhookResumed: "A paused or disabled webhook was resumed"
        case .webhookPaused: "The relay paused a webhook (its destination refused the credentials)"
        case .webhookDisabled: "A webhook was disabled: by the relay (410 Gone) or by the configuration file"
        case .secretAdded: "A signing secret was added to a webhook"
        case .secretRemoved: "A signing secret was removed from a webhook"
        case .authorizationSet: "A webhook's Authorization header was set"
        case .authorizationCleared: "A webhook's Authorization header was removed"
        case .slackInstalled: "A Slack webhook was added with Install using OAuth"
        case .sourceCreated: "An inbound source was created"
        case .sourceUpdated: "An inbound source was renamed"
        case .sourceDeleted: "An inbound source was deleted"
        case .sourceSecretRotated: "An inbound source's secret token was changed"
        case .sourceSecretRevealed: "An inbound source's secret token was shown"
        case .sourceStatusChanged: "An inbound source's secret status changed (PENDING, SECURE, CONFIGURING, FAILED)"
        case .signedIn: "Someone signed in to the settings page"
        case .signInFailed: "A sign-in to the settings page was refused"
        case .signedOut: "Someone signed out of the settings page"
        }
    }

    /// The catalogue entry of the type.
    public var catalogEntry: EventTypeInfo {
        EventTypeInfo(name: rawValue, description: description)
    }
}
