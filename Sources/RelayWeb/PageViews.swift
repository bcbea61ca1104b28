import RelayCore

/// What every page's head and bar show: the title, the section the bar marks as current, and,
/// when signed in, the form token, the token's fingerprint and the notice left by the last change.
struct PageFrame {
    /// The page's sections, as the bar names them.
    enum Section {
        case webhooks, deliveries, sources
    }

    let title: String
    let onWebhooks: Bool
    let onDeliveries: Bool
    let onSources: Bool
    let formToken: String?
    let signedInAs: String?
    let notice: String?

    /// The same frame with `notice` shown (a change whose outcome the page itself shows).
    func with(notice: String) -> PageFrame {
        PageFrame(
            title: title, onWebhooks: onWebhooks, onDeliveries: onDeliveries, onSources: onSources,
            formToken: formToken, signedInAs: signedInAs, notice: notice)
    }

    private init(
        title: String, onWebhooks: Bool, onDeliveries: Bool, onSources: Bool, formToken: String?, signedInAs: String?,
        notice: String?
    ) {
        self.title = title
        self.onWebhooks = onWebhooks
        self.onDeliveries = onDeliveries
        self.onSources = onSources
        self.formToken = formToken
        self.signedInAs = signedInAs
        self.notice = notice
    }

    init(title: String, section: Section? = nil, session: WebSession? = nil, notice: String? = nil) {
        self.title = title
        onWebhooks = section == .webhooks
        onDeliveries = section == .deliveries
        onSources = section == .sources
        formToken = session?.formToken
        signedInAs = session?.tokenFingerprint
        self.notice = notice
    }
}

/// The sign-in page's values.
struct SignInView {
    let frame = PageFrame(title: "Sign in")
    var error: String?
}

/// The webhooks page's values (stored properties only: Mustache reads them by reflection).
struct WebhooksView {
    let frame: PageFrame
    let rows: [WebhookRow]
    let hasRows: Bool
    let form: CustomWebhookForm
    /// Whether "Install using OAuth" is offered (`slack.clientID` is set).
    let slackEnabled: Bool

    init(frame: PageFrame, rows: [WebhookRow], form: CustomWebhookForm, slackEnabled: Bool) {
        self.frame = frame
        self.slackEnabled = slackEnabled
        self.rows = rows
        hasRows = !rows.isEmpty
        self.form = form
    }
}

/// The custom-webhook form as sent, with the reason next to each refused field.
struct CustomWebhookForm {
    var name = ""
    var url = ""
    var nameError: String?
    var urlError: String?
}

/// The Deliveries view's values.
struct DeliveriesView {
    let frame: PageFrame
    let rows: [DeliveryRow]
    let hasRows: Bool
    let webhookOptions: [FilterOption]
    let outcomeOptions: [FilterOption]
    let eventType: String
    let health: [HealthRow]
    /// Where the view's script listens for new attempts, with the same filters, after the newest
    /// attempt the page shows.
    let streamURL: String

    init(
        frame: PageFrame, rows: [DeliveryRow], webhookOptions: [FilterOption], outcomeOptions: [FilterOption],
        eventType: String, health: [HealthRow], query: String, after: String
    ) {
        streamURL = "/ui/deliveries/stream?" + (query.isEmpty ? "" : "\(query)&") + "after=\(after)"
        self.frame = frame
        self.rows = rows
        hasRows = !rows.isEmpty
        self.webhookOptions = webhookOptions
        self.outcomeOptions = outcomeOptions
        self.eventType = eventType
        self.health = health
    }
}

/// The page Slack's redirect lands on: it moves on to `next` from this origin (a meta refresh, no
/// script), so the session cookie comes along.
struct SlackReturnView {
    let frame = PageFrame(title: "Installing Slack")
    let next: String
}
