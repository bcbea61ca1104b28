import Foundation
import RelayCore

/// The reasons the editor shows next to its fields, each from the rule that refused.
struct EditorErrors {
    var name: String?
    var url: String?
    var events: String?
    var pattern: String?
    var format: String?
    var batch: String?
    var secret: String?
    var authorization: String?
    var header: String?
    /// What belongs to no one field (a webhook changed elsewhere, say).
    var general: String?

    init() {}

    var isEmpty: Bool {
        [name, url, events, pattern, format, batch, secret, authorization, header, general].allSatisfy { $0 == nil }
    }

    /// `errors` by the field each names (`headers.X-Team` is shown by the header rows,
    /// `batch.maxBytes` by the batch fields, and so on).
    init(_ errors: [FieldError], general: String? = nil) {
        self.general = general
        for error in errors { add(error) }
    }

    mutating func add(_ error: FieldError) {
        let root = error.field.prefix { $0 != "." && $0 != "[" }
        let text = "\(error.field.contains(where: { $0 == "." || $0 == "[" }) ? "\(error.field): " : "")\(error.reason)"
        func append(_ slot: inout String?) { slot = slot.map { "\($0); \(text)" } ?? text }
        switch root {
        case "name": append(&name)
        case "url": append(&url)
        case "events": append(&events)
        case "pattern": append(&pattern)
        case "format": append(&format)
        case "batch": append(&batch)
        case "secret", "secrets": append(&secret)
        case "authorization": append(&authorization)
        case "header", "headers": append(&header)
        default: append(&general)
        }
    }
}

/// The editor's values (SPEC §10 item 4), from a ``WebhookDraft`` and the stored webhook.
struct EditorView {
    /// One checkbox of the Events list.
    struct EventOption {
        let value: String
        let description: String?
        let checked: Bool
    }

    /// A secret as the editor lists it: masked; an added one also carries its value (hidden).
    struct SecretRow {
        let index: Int
        let mask: String
        let value: String?
    }

    /// A custom header row.
    struct HeaderRow {
        let index: Int
        let name: String
        let value: String
    }

    let frame: PageFrame
    let id: String
    let isCustom: Bool
    /// Where a Slack webhook installed through OAuth posts.
    let slack: SlackInstallation?
    let version: String
    let name: String
    let url: String
    let events: [EventOption]
    let newPattern: String
    let formats: [FilterOption]
    let batching: Bool
    let batch: WebhookDraft.Batch
    let enabled: Bool
    let state: String
    let stateReason: String?
    let resumable: Bool
    let keptSecrets: [SecretRow]
    let addedSecrets: [SecretRow]
    let secretSummary: String
    let secretField: String
    let authorizationShown: String
    let authorizationChange: String
    let authorizationValue: String
    let authorizationInput: String
    let openDialog: Bool
    let headers: [HeaderRow]
    let newHeaderName: String
    let newHeaderValue: String
    let errors: EditorErrors

    /// What the editor's fields hold beyond the draft: the text fields not yet added.
    struct Inputs {
        var secret = ""
        var pattern = ""
        var headerName = ""
        var headerValue = ""
        var authorization = ""
        var openDialog = false
    }

    init(
        frame: PageFrame, stored: WebhookResource, draft: WebhookDraft, catalogue: [EventTypeResource],
        inputs: Inputs = Inputs(), errors: EditorErrors = EditorErrors()
    ) {
        self.frame = frame
        id = stored.id
        isCustom = stored.kind == .custom
        slack = stored.slack ?? nil
        version = draft.version
        name = draft.name
        url = draft.url
        let everything = ("*", "All event types, also those not in the catalogue yet" as String?)
        let listed =
            [everything]
            + draft.events.filter { event in event != "*" && !catalogue.contains { $0.name == event } }.map {
                ($0, nil as String?)
            } + catalogue.map { ($0.name, $0.description) }
        events = listed.map { entry in
            EventOption(
                value: entry.0, description: entry.1 ?? (entry.0.contains("*") ? "pattern" : nil),
                checked: draft.events.contains(entry.0))
        }
        newPattern = inputs.pattern
        formats = MessageFormat.allCases.map {
            FilterOption(value: $0.rawValue, label: $0.rawValue, selected: $0 == draft.format)
        }
        batching = draft.batch != nil
        batch = draft.batch ?? .defaults
        enabled = draft.enabled
        state = stored.state.rawValue.capitalized
        stateReason = stored.stateReason
        resumable = stored.state != .active
        keptSecrets = draft.keptSecrets.filter(stored.secrets.indices.contains).map {
            SecretRow(index: $0, mask: stored.secrets[$0], value: nil)
        }
        addedSecrets = draft.addedSecrets.enumerated().map {
            SecretRow(index: $0, mask: WebhookSecrets.mask($1), value: $1)
        }
        secretSummary = "\(draft.secretCount) of \(WebhookSecrets.maxCount) secrets"
        secretField = inputs.secret
        switch draft.authorization {
        case .keep:
            authorizationShown = stored.authorization ?? "Not set"
            authorizationChange = "keep"
            authorizationValue = ""
        case .set(let value):
            authorizationShown = "\(WebhookSecrets.mask(value)) (not saved yet)"
            authorizationChange = "set"
            authorizationValue = value
        case .clear:
            authorizationShown = "Not set (not saved yet)"
            authorizationChange = "clear"
            authorizationValue = ""
        }
        authorizationInput = inputs.authorization
        openDialog = inputs.openDialog
        headers = draft.headers.enumerated().map { HeaderRow(index: $0, name: $1.name, value: $1.value) }
        newHeaderName = inputs.headerName
        newHeaderValue = inputs.headerValue
        self.errors = errors
    }
}
