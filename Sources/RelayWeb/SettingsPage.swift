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
    private let sessions: PageSessions
    private let cookie: SessionCookie
    private let templates: PageTemplates
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
        page.post("sign-out") { request, _ in
            guard let session = session(request), try await isGenuine(request, session) else { return forbidden() }
            sessions.signOut(session.id)
            var response = Self.redirect(to: "/ui/")
            response.headers[.setCookie] = cookie.clearing
            return response
        }
        page.post("webhooks") { request, _ in
            guard let session = session(request) else { return Self.redirect(to: "/ui/") }
            let form = try await Self.form(request)
            guard isGenuine(form, request, session) else { return forbidden() }
            return try await createWebhook(form, session, admin: admin)
        }
        page.get("deliveries") { request, _ in
            guard let session = session(request) else { return Self.redirect(to: "/ui/") }
            return try await deliveriesPage(request, session, admin: admin)
        }
        page.post("messages/:id/retry") { request, context in
            guard let session = session(request) else { return Self.redirect(to: "/ui/") }
            guard isGenuine(try await Self.form(request), request, session) else { return forbidden() }
            let id = try context.parameters.require("id")
            do {
                try await admin.retryMessage(id: id)
                sessions.setNotice("Message \(id) queued again.", for: session.id)
            } catch let problem as RelayProblem {
                sessions.setNotice("Not queued: \(problem.detail).", for: session.id)
            }
            return Self.redirect(to: "/ui/deliveries")
        }
        page.post("webhooks/:id/test") { request, context in
            guard let session = session(request) else { return Self.redirect(to: "/ui/") }
            guard isGenuine(try await Self.form(request), request, session) else { return forbidden() }
            let id = try context.parameters.require("id")
            let name = try await admin.webhooks().first { $0.id == id }?.name ?? id
            if let result = try await admin.testWebhook(id: id) {
                sessions.setNotice("Test event to “\(name)”: \(Self.describe(result))", for: session.id)
            }
            return Self.redirect(to: "/ui/")
        }
        page.post("webhooks/:id/resume") { request, context in
            guard let session = session(request) else { return Self.redirect(to: "/ui/") }
            guard isGenuine(try await Self.form(request), request, session) else { return forbidden() }
            if let resumed = try await admin.resumeWebhook(id: try context.parameters.require("id")) {
                sessions.setNotice("Webhook “\(resumed.name)” resumed.", for: session.id)
            }
            return Self.redirect(to: "/ui/")
        }
        page.post("webhooks/:id/delete") { request, context in
            guard let session = session(request) else { return Self.redirect(to: "/ui/") }
            guard isGenuine(try await Self.form(request), request, session) else { return forbidden() }
            let id = try context.parameters.require("id")
            let name = try await admin.webhooks().first { $0.id == id }?.name
            if try await admin.deleteWebhook(id: id) {
                sessions.setNotice("Webhook “\(name ?? id)” deleted.", for: session.id)
            }
            return Self.redirect(to: "/ui/")
        }
    }

    // MARK: Pages

    private func webhooksPage(
        _ session: WebSession, admin: AdminOperations, form: CustomWebhookForm = CustomWebhookForm(),
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let rows = try await admin.webhooks().map(WebhookRow.init)
        let view = WebhooksView(
            formToken: session.formToken, signedInAs: session.tokenFingerprint,
            notice: sessions.takeNotice(for: session.id), rows: rows, form: form)
        return html(templates.render("webhooks", view), status: status)
    }

    private func deliveriesPage(_ request: Request, _ session: WebSession, admin: AdminOperations) async throws
        -> Response
    {
        let parameters = request.uri.queryParameters
        let webhook = parameters["webhook"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let outcome = parameters["status"].flatMap { AttemptOutcome(rawValue: String($0)) }
        let eventType = parameters["type"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let webhooks = try await admin.webhooks()
        let attempts = try await admin.deliveries(webhook: webhook, outcome: outcome, eventType: eventType, limit: 100)
        let rows = attempts.flatMap(DeliveryRow.rows)
        let view = DeliveriesView(
            formToken: session.formToken, signedInAs: session.tokenFingerprint,
            notice: sessions.takeNotice(for: session.id), rows: rows,
            webhookOptions: webhooks.map { FilterOption(value: $0.id, label: $0.name, selected: $0.id == webhook) },
            outcomeOptions: AttemptOutcome.allCases.map {
                FilterOption(value: $0.rawValue, label: $0.rawValue, selected: $0 == outcome)
            },
            eventType: eventType ?? "", health: webhooks.map(HealthRow.init))
        return html(templates.render("deliveries", view))
    }

    private func signIn(_ request: Request, _ context: RelayRequestContext, admin: AdminOperations) async throws
        -> Response
    {
        guard isSameOrigin(request) else { return forbidden() }
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        let now = WallClock.nowMillis()
        if let until = sessions.signInBlockedUntil(address, now: now) {
            let seconds = (until - now + 999) / 1000
            var response = html(
                templates.render("signin", SignInView(error: "Too many attempts. Try again in \(seconds) s.")),
                status: .tooManyRequests)
            response.headers[.retryAfter] = String(seconds)
            return response
        }
        let token = (try await Self.form(request))["token"] ?? ""
        guard !token.isEmpty, admin.isAdminToken(token) else {
            sessions.signInFailed(address, now: now)
            return html(
                templates.render("signin", SignInView(error: "That token was not accepted.")), status: .unauthorized)
        }
        let session = sessions.signIn(token: token, address: address, now: now)
        var response = Self.redirect(to: "/ui/")
        response.headers[.setCookie] = cookie.setting(session.id)
        return response
    }

    private func createWebhook(_ form: [String: String], _ session: WebSession, admin: AdminOperations) async throws
        -> Response
    {
        let name = form["name"] ?? ""
        let url = form["url"] ?? ""
        do {
            let created = try await admin.createWebhook([
                "name": .string(name), "url": .string(url), "events": .array([.string("*")]),
            ])
            sessions.setNotice("Webhook “\(created.name)” created.", for: session.id)
            return Self.redirect(to: "/ui/")
        } catch let problem as RelayProblem {
            let reasons = Dictionary(
                problem.errors.map { ($0.field, $0.reason) }, uniquingKeysWith: { first, _ in first })
            let form = CustomWebhookForm(
                name: name, url: url, nameError: reasons["name"], urlError: reasons["url"] ?? reasons["events"])
            return try await webhooksPage(session, admin: admin, form: form, status: .unprocessableContent)
        }
    }

    // MARK: Sessions and forms

    private func session(_ request: Request) -> WebSession? {
        cookie.value(in: request).flatMap { sessions.session($0, now: WallClock.nowMillis()) }
    }

    /// Whether a form post is the page's own: same origin, and the session's form token.
    private func isGenuine(_ form: [String: String], _ request: Request, _ session: WebSession) -> Bool {
        isSameOrigin(request) && session.acceptsFormToken(form["_csrf"] ?? "")
    }

    private func isGenuine(_ request: Request, _ session: WebSession) async throws -> Bool {
        isGenuine(try await Self.form(request), request, session)
    }

    /// The members of an `application/x-www-form-urlencoded` body (at most 64 KiB).
    private static func form(_ request: Request) async throws -> [String: String] {
        let body = try await request.body.collect(upTo: 65_536)
        var members: [String: String] = [:]
        for pair in String(buffer: body).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            guard let name = parts.first, members[name] == nil else { continue }
            members[name] = parts.count > 1 ? parts[1] : ""
        }
        return members
    }

    private func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
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

    private static func redirect(to path: String) -> Response {
        Response(status: .seeOther, headers: [.location: path])
    }
}

/// The sign-in page's values.
struct SignInView {
    var title = "Sign in"
    var error: String?
}

/// The webhooks page's values (stored properties only: Mustache reads them by reflection).
struct WebhooksView {
    let title = "Webhooks"
    let onWebhooks = true
    let formToken: String
    let signedInAs: String
    let notice: String?
    let rows: [WebhookRow]
    let hasRows: Bool
    let form: CustomWebhookForm

    init(formToken: String, signedInAs: String, notice: String?, rows: [WebhookRow], form: CustomWebhookForm) {
        self.formToken = formToken
        self.signedInAs = signedInAs
        self.notice = notice
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
    let title = "Deliveries"
    let onDeliveries = true
    let formToken: String
    let signedInAs: String
    let notice: String?
    let rows: [DeliveryRow]
    let hasRows: Bool
    let webhookOptions: [FilterOption]
    let outcomeOptions: [FilterOption]
    let eventType: String
    let health: [HealthRow]

    init(
        formToken: String, signedInAs: String, notice: String?, rows: [DeliveryRow], webhookOptions: [FilterOption],
        outcomeOptions: [FilterOption], eventType: String, health: [HealthRow]
    ) {
        self.formToken = formToken
        self.signedInAs = signedInAs
        self.notice = notice
        self.rows = rows
        hasRows = !rows.isEmpty
        self.webhookOptions = webhookOptions
        self.outcomeOptions = outcomeOptions
        self.eventType = eventType
        self.health = health
    }
}
