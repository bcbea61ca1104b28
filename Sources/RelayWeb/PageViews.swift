import RelayCore

/// What every page's head and bar show: the title, the section the bar marks as current, and,
/// when signed in, the form token, the token's fingerprint and the notice left by the last change.
struct PageFrame {
    /// The page's sections, as the bar names them.
    enum Section {
        case webhooks, deliveries
    }

    let title: String
    let onWebhooks: Bool
    let onDeliveries: Bool
    let formToken: String?
    let signedInAs: String?
    let notice: String?

    init(title: String, section: Section? = nil, session: WebSession? = nil, notice: String? = nil) {
        self.title = title
        onWebhooks = section == .webhooks
        onDeliveries = section == .deliveries
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

    init(frame: PageFrame, rows: [WebhookRow], form: CustomWebhookForm) {
        self.frame = frame
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

    init(
        frame: PageFrame, rows: [DeliveryRow], webhookOptions: [FilterOption], outcomeOptions: [FilterOption],
        eventType: String, health: [HealthRow]
    ) {
        self.frame = frame
        self.rows = rows
        hasRows = !rows.isEmpty
        self.webhookOptions = webhookOptions
        self.outcomeOptions = outcomeOptions
        self.eventType = eventType
        self.health = health
    }
}
