import Hummingbird
import RelayCore
import RelayServer

/// The webhook editor (SPEC §10 item 4) at `/ui/webhooks/{id}`: every button but Save changes
/// only the draft the form carries; Save applies it through the admin API's update.
extension SettingsPage {
    func registerEditor(on page: RouterGroup<RelayRequestContext>, admin: AdminOperations) {
        page.get("webhooks/:id") { request, context in
            guard let session = session(request) else { return Self.redirect(to: "/ui/") }
            let id = try context.parameters.require("id")
            guard let stored = try? await admin.webhook(id: id) else {
                sessions.setNotice("No webhook has the id \(id).", for: session.id)
                return Self.redirect(to: "/ui/")
            }
            return try await editorPage(session, stored: stored, draft: WebhookDraft(stored), admin: admin)
        }
        formPost(page, "webhooks/:id") { form, session, context in
            let id = try context.parameters.require("id")
            guard let stored = try? await admin.webhook(id: id) else {
                sessions.setNotice("Not saved: no webhook has the id \(id) (deleted meanwhile?).", for: session.id)
                return Self.redirect(to: "/ui/")
            }
            let draft = EditorForm.draft(form, kind: stored.kind)
            guard let action = EditorForm.Action(form["action"] ?? "") else {
                return try await editorPage(session, stored: stored, draft: draft, admin: admin)
            }
            return try await edit(
                action, form, session, by: origin(session, context), stored: stored, draft: draft, admin: admin)
        }
    }

    /// One press of an editor button.
    private func edit(
        _ action: EditorForm.Action, _ form: PageForm, _ session: WebSession, by origin: ChangeOrigin,
        stored: WebhookResource, draft: WebhookDraft, admin: AdminOperations
    ) async throws -> Response {
        var draft = draft
        var stored = stored
        var inputs = EditorView.Inputs(
            secret: form["secret"] ?? "", pattern: form["new_pattern"] ?? "",
            headerName: form["new_header_name"] ?? "", headerValue: form["new_header_value"] ?? "",
            authorization: form["authorization_input"] ?? "")
        var errors = EditorErrors()
        var notice: String?
        do {
            switch action {
            case .save:
                return try await save(session, by: origin, stored: stored, draft: draft, inputs: inputs, admin: admin)
            case .test:
                let result = try await admin.testWebhook(id: stored.id)
                notice = "Test event (with the saved settings): \(Self.describe(result))"
            case .resume:
                let unchangedSinceOpened = stored.updatedAt == draft.version
                stored = try await admin.resumeWebhook(id: stored.id, by: origin)
                // Only the resume itself is taken in: a change made elsewhere still stops Save.
                if unchangedSinceOpened { draft.version = stored.updatedAt }
                draft.enabled = stored.enabled
                notice = "Webhook “\(stored.name)” resumed."
            case .randomSecret:
                inputs.secret = WebhookSecrets.generate()
            case .addSecret:
                try draft.addSecret(inputs.secret)
                inputs.secret = ""
            case .removeKeptSecret(let index):
                draft.keptSecrets.removeAll { $0 == index }
            case .removeAddedSecret(let index):
                if draft.addedSecrets.indices.contains(index) { draft.addedSecrets.remove(at: index) }
            case .setAuthorization:
                inputs.openDialog = true
                try draft.setAuthorization(inputs.authorization)
                inputs.openDialog = false
                inputs.authorization = ""
            case .clearAuthorization:
                draft.authorization = .clear
            case .addHeader:
                try draft.addHeader(name: inputs.headerName, value: inputs.headerValue)
                inputs.headerName = ""
                inputs.headerValue = ""
            case .removeHeader(let index):
                if draft.headers.indices.contains(index) { draft.headers.remove(at: index) }
            case .addPattern:
                try draft.addPattern(inputs.pattern)
                inputs.pattern = ""
            }
        } catch let error as FieldError {
            errors.add(error)
        } catch let problem as RelayProblem {
            errors = EditorErrors(problem.errors, general: problem.errors.isEmpty ? problem.detail : nil)
        } catch {
            errors = EditorErrors([], general: "the relay could not do that (see its log); nothing was saved")
        }
        return try await editorPage(
            session, stored: stored, draft: draft, admin: admin, inputs: inputs, errors: errors, notice: notice,
            status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    /// Save: the draft as one `PATCH` through the admin API; refusals shown by their fields.
    private func save(
        _ session: WebSession, by origin: ChangeOrigin, stored: WebhookResource, draft: WebhookDraft,
        inputs: EditorView.Inputs, admin: AdminOperations
    ) async throws -> Response {
        do {
            let saved = try await admin.updateWebhook(id: stored.id, by: origin) { webhook in
                try draft.patch(onto: webhook)
            }
            sessions.setNotice("Webhook “\(saved.name)” saved.", for: session.id)
            return Self.redirect(to: "/ui/")
        } catch let problem as RelayProblem {
            let errors = EditorErrors(problem.errors, general: problem.errors.isEmpty ? problem.detail : nil)
            return try await editorPage(
                session, stored: stored, draft: draft, admin: admin, inputs: inputs, errors: errors,
                status: problem.status == 409 ? .conflict : .unprocessableContent)
        }
    }

    private func editorPage(
        _ session: WebSession, stored: WebhookResource, draft: WebhookDraft, admin: AdminOperations,
        inputs: EditorView.Inputs = EditorView.Inputs(), errors: EditorErrors = EditorErrors(), notice: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var frame = frame("Edit \(stored.name)", .webhooks, session)
        if let notice { frame = frame.with(notice: notice) }
        let view = EditorView(
            frame: frame, stored: stored, draft: draft, catalogue: try await admin.eventTypes(), inputs: inputs,
            errors: errors)
        return html(templates.render("editor", view), status: status)
    }
}
