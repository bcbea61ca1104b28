import RelayCore

/// One row of the Sources table as the page shows it; every value is text (the templates escape
/// it). The token is shown only right after create, "Change secret token" or "Show token".
struct SourceRow {
    let id: String
    let name: String
    let provider: String
    let url: String
    let status: String
    let reason: String?
    /// "2 of 3 senders use the new token", during or after a rotation that waits for senders.
    let progress: String?
    /// The senders still on the previous token.
    let lagging: String?
    /// The senders seen, for the tooltip.
    let senders: String
    /// "None", or "3 (last at 2026-12-05T10:00:00Z)".
    let rejected: String
    let token: String?

    init(_ source: SourceResource, token: String?) {
        id = source.id
        name = source.name
        provider = Self.label(source.provider)
        url = source.url
        status = source.secretStatus.rawValue
        reason = source.stateReason
        progress =
            source.progress.total > 0 && source.secretStatus != .pending
            ? "\(source.progress.switched) of \(source.progress.total) senders use the new token" : nil
        lagging =
            source.lagging.isEmpty ? nil : "Still on the previous token: \(source.lagging.joined(separator: ", "))"
        senders =
            source.senders.isEmpty ? "No requests verified yet" : source.senders.map(\.name).joined(separator: "\n")
        rejected = source.rejected == 0 ? "None" : "\(source.rejected) (last at \(source.lastRejectedAt ?? "?"))"
        self.token = token
    }

    /// How the page names a provider.
    static func label(_ provider: InboundProvider) -> String {
        switch provider {
        case .github: "GitHub"
        case .bitbucket: "Bitbucket"
        case .jira: "Jira"
        case .gitlab: "GitLab"
        case .standard: "Standard Webhooks"
        }
    }
}

/// The Sources page's values (stored properties only: Mustache reads them by reflection).
struct SourcesView {
    let frame: PageFrame
    let rows: [SourceRow]
    let hasRows: Bool
    let form: SourceForm
    let providers: [FilterOption]
    /// `inbound.rotationGrace`, as the grace field's default.
    let defaultGrace: String

    init(frame: PageFrame, rows: [SourceRow], form: SourceForm, defaultGrace: String) {
        self.frame = frame
        self.rows = rows
        hasRows = !rows.isEmpty
        self.form = form
        providers = InboundProvider.allCases.map {
            FilterOption(value: $0.rawValue, label: SourceRow.label($0), selected: $0.rawValue == form.provider)
        }
        self.defaultGrace = defaultGrace
    }
}

/// The new-source form as sent, with the reason next to each refused field.
struct SourceForm {
    var name = ""
    var provider = InboundProvider.github.rawValue
    var nameError: String?
    var providerError: String?
}
