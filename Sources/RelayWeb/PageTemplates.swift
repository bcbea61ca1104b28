import Foundation
import Mustache

/// The page's Mustache templates, read from the module's resources once. Mustache escapes every
/// `{{value}}` as HTML, so names, URLs and reasons are shown as text, never as markup.
struct PageTemplates: Sendable {
    private let library: MustacheLibrary

    init() throws {
        guard let directory = Bundle.module.resourceURL?.appendingPathComponent("templates") else {
            throw PageError("the page's templates are missing from the build")
        }
        var templates: [String: MustacheTemplate] = [:]
        for name in ["head", "foot", "signin", "webhooks", "deliveries", "editor", "sources", "slack-return"] {
            let text = try String(
                contentsOf: directory.appendingPathComponent("\(name).mustache"), encoding: .utf8)
            templates[name] = try MustacheTemplate(string: text)
        }
        library = MustacheLibrary(templates: templates)
    }

    /// `view` rendered with the template `name`.
    func render(_ name: String, _ view: Any) -> String {
        library.render(view, withTemplate: name) ?? ""
    }
}

/// The page cannot be served (a build without its resources).
struct PageError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// The static files under `/ui/static/`, read once.
struct StaticFiles: Sendable {
    private let files: [String: (contentType: String, body: [UInt8])]

    init() throws {
        guard let directory = Bundle.module.resourceURL?.appendingPathComponent("static") else {
            throw PageError("the page's static files are missing from the build")
        }
        var files: [String: (String, [UInt8])] = [:]
        for (name, type) in [("app.css", "text/css; charset=utf-8"), ("app.js", "text/javascript; charset=utf-8")] {
            files[name] = (type, Array(try Data(contentsOf: directory.appendingPathComponent(name))))
        }
        self.files = files
    }

    /// The file called `name`, if there is one.
    func file(_ name: String) -> (contentType: String, body: [UInt8])? {
        files[name]
    }
}
