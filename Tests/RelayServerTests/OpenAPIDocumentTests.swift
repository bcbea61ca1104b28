import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import RelayCore
import RelayServer
import RelayTestSupport
import Testing

/// The OpenAPI document served at /openapi.json describes exactly the routes the router has.
@Suite struct OpenAPIDocumentTests {
    @Test func everyRegisteredRouteIsDocumentedAndNothingElse() async throws {
        var configuration = RelayConfiguration()
        let directory = try TestFixtures.temporaryDirectory()
        configuration.store.path = directory.appendingPathComponent("relay.sqlite").path
        configuration.auth.ingestTokens = ["i"]
        configuration.auth.adminTokens = ["a"]
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let relay = try await RelayComponents(
            configuration: configuration, options: ApplicationOptions(), logger: logger)
        let registered = Set(
            relay.router.routes.map { route in
                let path = "\(route.path)".split(separator: "/").map { segment in
                    segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
                }
                return "\(route.method.rawValue) /" + path.joined(separator: "/")
            })
        #expect(registered.count >= 17)

        let app = Application(router: relay.router)
        let document = try await app.test(.router) { client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                return try JSONDecoder().decode(JSONValue.self, from: Data(response.body.readableBytesView))
            }
        }
        guard case .object(let members) = document, case .object(let paths)? = members["paths"] else {
            Issue.record("the document has no paths")
            return
        }
        #expect(members["openapi"]?.string?.hasPrefix("3.1") == true)
        let methods = ["get", "put", "post", "delete", "patch", "head", "options"]
        let documented = Set(
            paths.flatMap { path, item in
                guard case .object(let operations) = item else { return [String]() }
                return operations.keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" }
            })
        #expect(documented.subtracting(registered).isEmpty, "documented but not registered")
        #expect(registered.subtracting(documented).isEmpty, "registered but not documented")
    }
}
