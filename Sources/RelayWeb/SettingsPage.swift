import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RelayCore
import RelayServer

/// The settings page (SPEC §10) at `/ui/`: sign in with an admin token, see the webhooks, add a
/// custom webhook, delete one. Every change goes through the admin API's own operations.
///
/// ```swift
/// let options = ApplicationOptions(modules: [try SettingsPage(configuration: configuration)])
/// ```
public struct SettingsPage: RouteModule {
    let sessions: PageSessions
    private let cookie: SessionCookie
    let templates: PageTemplates
    private let files: StaticFiles

    public init(configuration: RelayConfiguration) throws {
        sessions = PageSessions(settings: configuration.web)
        cookie = SessionCookie(secure: configuration.server.tls.isEnabled)
        templates = try PageTemplates()
        files = try StaticFiles()
    }

    public func register(on router: Router<RelayRequestContext>, admin: AdminOperations) {
        router.get("/") { _, _ in Self.redirect(to: "/ui/") }
        let page = router.group("ui").add(middleware: PageHeadersMiddleware())
        page.get("/") { request, _ in
            guard let session = session(request) else { return html(templates.render("signin", SignInView())) }
            return try await webhooksPage(session, admin: admin)
        }
        page.get("static/:file") { _, context in
            guard let file = files.file(try context.parameters.require("file")) else {
                return Response(status: .notFound)
            }
            return Response(
                status: .ok, headers: [.contentType: file.contentType],
                body: .init(byteBuffer: ByteBuffer(bytes: file.body)))
        }
        page.post("sign-in") { request, context in try await signIn(request, context, admin: admin) }
        formPost(page, "sign-out") { _, session, context in
            sessions.signOut(session.id)
            try await admin.record(RelayAuditEvent(.signedOut, by: origin(session, context), target: .session))
            var response = Self.redirect(to: "/ui/")
            response.headers[.setCookie] = cookie.clearing
            return response
        }
        formPost(page, "webhooks") { form, session, context in
            try await createWebhook(form, session, by: origin(session, context), admin: admin)
        }
        registerEditor(on: page, admin: admin)
        registerSlack(on: page, admin: admin)
        registerSources(on: page, admin: admin)
        page.get("deliveries") { request, _ in
            guard let session = session(request) else { return Self.redirect(to: "/ui/") }
            return try await deliveriesPage(request, session, admin: admin)
        }
        page.get("deliveries/stream") { request, _ in
            guard let session = session(request) else { return Response(status: .unauthorized) }
            let filters = DeliveryFilters(request.uri.queryParameters)
            return try await admin.deliveryStream(
                webhook: filters.webhook, outcome: filters.outcome, eventType: filters.eventType,
                lastEventID: request.headers[HTTPField.Name("Last-Event-ID")!]
                    ?? request.uri.queryParameters["after"]
                    .map(String.init),
                while: { sessions.isLive(session.id, now: WallClock.nowMillis()) }
            ) { attempt in try JSONEncoder().encode(DeliveryRow.rows(of: attempt)) }
        }
        formPost(page, "messages/:id/retry") { _, session, context in
            let id = try context.parameters.require("id")
            await act(session, refused: "Not queued") {
                try await admin.retryMessage(id: id)
                return "Message \(id) queued again."
            }
            return Self.redirect(to: "/ui/deliveries")
        }
        formPost(page, "webhooks/:id/test") { _, session, context in
            let id = try context.parameters.require("id")
            await act(session, refused: "No test event sent") {
                let name = try await admin.webhook(id: id).name
                return "Test event to “\(name)”: \(Self.describe(try await admin.testWebhook(id: id)))"
            }
            return Self.redirect(to: "/ui/")
        }
        formPost(page, "webhooks/:id/resume") { _, session, context in
            let id = try context.parameters.require("id")
            await act(session, refused: "Not resumed") {
                "Webhook “\(try await admin.resumeWebhook(id: id, by: origin(session, context)).name)” resumed."
            }
            return Self.redirect(to: "/ui/")
        }
        formPost(page, "webhooks/:id/delete") { _, session, context in
            let id = try context.parameters.require("id")
            await act(session, refused: "Not deleted") {
                "Webhook “\(try await admin.deleteWebhook(id: id, by: origin(session, context)))” deleted."
            }
            return Self.redirect(to: "/ui/")
        }
    }

    /// Registers a form post of the page: without a live session it sends the browser to sign in;
    /// one that is not the page's own (another origin, no or a wrong form token) is a `403`.
    func formPost(
        _ page: RouterGroup<RelayRequestContext>, _ path: RouterPath,
        _ handler: @escaping @Sendable (PageForm, WebSession, RelayRequestContext) async throws -> Response
    ) {
        page.post(path) { request, context in
            guard let session = session(request) else { return Self.redirect(to: "/ui/") }
            let form = try await PageForm(request)
            guard isSameOrigin(request), session.acceptsFormToken(form["_csrf"] ?? "") else { return forbidden() }
            return try await handler(form, session, context)
        }
    }

    /// Who makes the changes of a form post, for their audit events: the session's admin token,
    /// by fingerprint, from the client's address.
    func origin(_ session: WebSession, _ context: RelayRequestContext) -> ChangeOrigin {
        ChangeOrigin(actor: .session(fingerprint: session.tokenFingerprint), clientAddress: context.clientAddress)
    }

    /// Runs a change and leaves its outcome as the session's notice: what `change` says, or
    /// "`refused`: <the API's detail>." when the admin operations refuse it.
    private func act(_ session: WebSession, refused: String, _ change: () async throws -> String) async {
        do {
            sessions.setNotice(try await change(), for: session.id)
        } catch let problem as RelayProblem {
            sessions.setNotice("\(refused): \(problem.detail).", for: session.id)
        } catch {
            sessions.setNotice("\(refused): the relay could not do it (see its log).", for: session.id)
        }
    }

    func frame(_ title: String, _ section: PageFrame.Section, _ session: WebSession) -> PageFrame {
        PageFrame(title: title, section: section, session: session, notice: sessions.takeNotice(for: session.id))
    }

    // MARK: Pages

    private func webhooksPage(
        _ session: WebSession, admin: AdminOperations, form: CustomWebhookForm = CustomWebhookForm(),
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let rows = try await admin.webhooks().map(WebhookRow.init)
        let view = WebhooksView(
            frame: frame("Webhooks", .webhooks, session), rows: rows, form: form,
            slackEnabled: admin.configuration.slack.isEnabled)
        return html(templates.render("webhooks", view), status: status)
    }

    private func deliveriesPage(_ request: Request, _ session: WebSession, admin: AdminOperations) async throws
        -> Response
    {
        let filters = DeliveryFilters(request.uri.queryParameters)
        let (webhook, outcome, eventType) = (filters.webhook, filters.outcome, filters.eventType)
        let webhooks = try await admin.webhooks()
        // The live stream goes on from the newest attempt listed (or, with none, from the newest
        // one before the list was read): an attempt recorded while the page loads is not missed.
        let before = try await admin.latestAttemptCursor()
        let attempts = try await admin.deliveries(webhook: webhook, outcome: outcome, eventType: eventType, limit: 100)
        let rows = attempts.flatMap(DeliveryRow.rows)
        let view = DeliveriesView(
            frame: frame("Deliveries", .deliveries, session), rows: rows,
            webhookOptions: webhooks.map { FilterOption(value: $0.id, label: $0.name, selected: $0.id == webhook) },
            outcomeOptions: AttemptOutcome.allCases.map {
                FilterOption(value: $0.rawValue, label: $0.rawValue, selected: $0 == outcome)
            },
            eventType: eventType ?? "", health: webhooks.map(HealthRow.init), query: request.uri.query ?? "",
            after: attempts.first?.id ?? before)
        return html(templates.render("deliveries", view))
    }

    private func signIn(_ request: Request, _ context: RelayRequestContext, admin: AdminOperations) async throws
        -> Response
    {
        guard isSameOrigin(request) else { return forbidden() }
        let address = context.clientAddress ?? "unknown"
        let now = WallClock.nowMillis()
        if let until = sessions.signInBlockedUntil(address, now: now) {
            let seconds = (until - now + 999) / 1000
            var response = html(
                templates.render("signin", SignInView(error: "Too many attempts. Try again in \(seconds) s.")),
                status: .tooManyRequests)
            response.headers[.retryAfter] = String(seconds)
            return response
        }
        let token = try await PageForm(request)["token"] ?? ""
        guard !token.isEmpty, admin.isAdminToken(token) else {
            // Counted once its record is written, so the wait runs from the answer, however long
            // the write took; and counted even when the write fails.
            defer { sessions.signInFailed(address, now: WallClock.nowMillis()) }
            let refused = ChangeOrigin(actor: .anonymous, clientAddress: context.clientAddress)
            try await admin.record(RelayAuditEvent(.signInFailed, by: refused, target: .session))
            return html(
                templates.render("signin", SignInView(error: "That token was not accepted.")), status: .unauthorized)
        }
        // Recorded before the session exists: nobody is signed in without the record of it.
        let signedIn = ChangeOrigin(
            actor: .session(fingerprint: ChangeOrigin.fingerprint(ofToken: token)), clientAddress: context.clientAddress
        )
        try await admin.record(RelayAuditEvent(.signedIn, by: signedIn, target: .session))
        let session = sessions.signIn(token: token, address: address, now: now)
        var response = Self.redirect(to: "/ui/")
        response.headers[.setCookie] = cookie.setting(session.id)
        return response
    }

    private func createWebhook(
        _ form: PageForm, _ session: WebSession, by origin: ChangeOrigin, admin: AdminOperations
    ) async throws -> Response {
        let name = form["name"] ?? ""
        let url = form["url"] ?? ""
        do {
            let created = try await admin.createWebhook(
                ["name": .string(name), "url": .string(url), "events": .array([.string("*")])], by: origin)
            sessions.setNotice("Webhook “\(created.name)” created.", for: session.id)
            return Self.redirect(to: "/ui/")
        } catch let problem as RelayProblem {
            let reasons = problem.reasonsByField
            let form = CustomWebhookForm(
                name: name, url: url, nameError: reasons["name"], urlError: reasons["url"] ?? reasons["events"])
            return try await webhooksPage(session, admin: admin, form: form, status: .unprocessableContent)
        }
    }

    // MARK: Sessions and forms

    func session(_ request: Request) -> WebSession? {
        cookie.value(in: request).flatMap { sessions.session($0, now: WallClock.nowMillis()) }
    }

    func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private func forbidden() -> Response {
        html(
            templates.render("signin", SignInView(error: "That request did not come from this page.")),
            status: .forbidden)
    }

    /// A test attempt in words: "delivered (HTTP 200, 12 ms)", "retrying (connection refused, 3 ms)".
    static func describe(_ result: WebhookTestResult) -> String {
        let detail =
            [result.httpStatus.map { "HTTP \($0)" }, result.outcome == .delivered ? nil : result.error]
            .compactMap { $0 } + ["\(result.durationMs) ms"]
        return "\(result.outcome.rawValue) (\(detail.joined(separator: ", ")))."
    }

    static func redirect(to path: String) -> Response {
        Response(status: .seeOther, headers: [.location: path])
    }
}
