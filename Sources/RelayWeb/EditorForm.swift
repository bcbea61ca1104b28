import RelayCore

/// How the editor's form carries a ``WebhookDraft`` from one step to the next: the visible fields,
/// and hidden ones for the secrets kept and added, the authorization change and the header rows.
enum EditorForm {
    /// The draft the editor's form describes; `kind` is the stored webhook's.
    static func draft(_ form: PageForm, kind: WebhookKind) -> WebhookDraft {
        let authorization: WebhookDraft.AuthorizationChange =
            switch form["authorization_change"] {
            case "set": .set(form["authorization_value"] ?? "")
            case "clear": .clear
            default: .keep
            }
        let batch =
            form["batch"] == "on"
            ? WebhookDraft.Batch(
                maxEvents: form["batch_max_events"] ?? "", maxBytes: form["batch_max_bytes"] ?? "",
                maxWait: form["batch_max_wait"] ?? "") : nil
        return WebhookDraft(
            version: form["version"] ?? "", kind: kind, name: form["name"] ?? "", url: form["url"] ?? "",
            events: form.all("event"), format: form["format"].flatMap(MessageFormat.init) ?? .json, batch: batch,
            enabled: form["enabled"] == "on", keptSecrets: form.all("kept_secret").compactMap { Int($0) },
            addedSecrets: form.all("added_secret"), authorization: authorization,
            headers: Array(zip(form.all("header_name"), form.all("header_value"))))
    }

    /// What a press of one of the editor's buttons asks for (the `action` member).
    enum Action: Equatable {
        case save, test, resume
        case randomSecret, addSecret, removeKeptSecret(Int), removeAddedSecret(Int)
        case setAuthorization, clearAuthorization
        case addHeader, removeHeader(Int), addPattern

        init?(_ text: String) {
            let parts = text.split(separator: ":").map(String.init)
            let index = parts.count == 2 ? Int(parts[1]) : nil
            switch (parts.first ?? "", index) {
            case ("save", nil): self = .save
            case ("test", nil): self = .test
            case ("resume", nil): self = .resume
            case ("random-secret", nil): self = .randomSecret
            case ("add-secret", nil): self = .addSecret
            case ("remove-kept-secret", let index?): self = .removeKeptSecret(index)
            case ("remove-added-secret", let index?): self = .removeAddedSecret(index)
            case ("set-authorization", nil): self = .setAuthorization
            case ("clear-authorization", nil): self = .clearAuthorization
            case ("add-header", nil): self = .addHeader
            case ("remove-header", let index?): self = .removeHeader(index)
            case ("add-pattern", nil): self = .addPattern
            default: return nil
            }
        }
    }
}
