import Hummingbird
import RelayCore
import RelayServer

/// The Sources view (SPEC §12 on the page): the table with each source's status, its URL and
/// token to copy, "Change secret token", and a form to add one. A token is shown only in the
/// answer to the post that made or asked for it, never kept in the session.
extension SettingsPage {
    func registerSources(on page: RouterGroup<RelayRequestContext>, admin: AdminOperations) {
        page.get("sources") { request, _ in
            guard let session = session(request) else { return Self.redirect(to: "/ui/") }
            return try await sourcesPage(session, admin: admin)
        }
        formPost(page, "sources") { form, session, context in
            let name = form["name"] ?? ""
            let provider = form["provider"] ?? ""
            do {
                let created = try await admin.createSource(
                    ["name": .string(name), "provider": .string(provider)], by: origin(session, context))
                let notice =
                    "Source “\(created.name)” created. Paste its URL and secret token into \(SourceRow.label(created.provider))."
                return try await sourcesPage(session, admin: admin, revealed: created, notice: notice)
            } catch let problem as RelayProblem {
                let reasons = problem.reasonsByField
                let form = SourceForm(
                    name: name, provider: provider, nameError: reasons["name"], providerError: reasons["provider"])
                return try await sourcesPage(session, admin: admin, form: form, status: .unprocessableContent)
            }
        }
        formPost(page, "sources/:id/reveal") { _, session, context in
            let id = try context.parameters.require("id")
            let source = try await admin.revealSource(id: id, by: origin(session, context))
            return try await sourcesPage(session, admin: admin, revealed: source)
        }
        formPost(page, "sources/:id/rotate") { form, session, context in
            let id = try context.parameters.require("id")
            let grace = form["grace"].flatMap { $0.isEmpty ? nil : JSONValue.string($0) }
            do {
                let rotated = try await admin.rotateSource(
                    id: id, grace.map { ["grace": $0] } ?? [:], by: origin(session, context))
                let notice = "New secret token for “\(rotated.name)”: paste it into each sender's webhook settings."
                return try await sourcesPage(session, admin: admin, revealed: rotated, notice: notice)
            } catch let problem as RelayProblem {
                let reason = problem.errors.first?.reason ?? problem.detail
                return try await sourcesPage(session, admin: admin, notice: "Token not changed: the grace \(reason).")
            }
        }
        formPost(page, "sources/:id/delete") { _, session, context in
            let id = try context.parameters.require("id")
            let deleted = try await admin.deleteSource(id: id, by: origin(session, context))
            sessions.setNotice("Source “\(deleted.name)” deleted.", for: session.id)
            return Self.redirect(to: "/ui/sources")
        }
    }

    /// The Sources page, with `revealed`'s token shown in its row.
    private func sourcesPage(
        _ session: WebSession, admin: AdminOperations, revealed: SourceResource? = nil, notice: String? = nil,
        form: SourceForm = SourceForm(), status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let token = revealed.flatMap { $0.secret ?? nil }
        let rows = try await admin.sources().map { SourceRow($0, token: $0.id == revealed?.id ? token : nil) }
        var frame = frame("Sources", .sources, session)
        if let notice { frame = frame.with(notice: notice) }
        let view = SourcesView(
            frame: frame, rows: rows, form: form, defaultGrace: admin.configuration.inbound.rotationGrace.description)
        return html(templates.render("sources", view), status: status)
    }
}
