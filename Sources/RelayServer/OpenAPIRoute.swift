import Foundation
import Hummingbird
import NIOCore

/// `GET /openapi.json`: the OpenAPI 3.1 description of every route, kept in
/// `Sources/RelayServer/Resources/openapi.json` (no token needed).
struct OpenAPIRoute<Context: RequestContext>: Sendable {
    /// The document's bytes, read once from the module's resources.
    static var document: Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else { return Data("{}".utf8) }
        return data
    }

    func register(on router: Router<Context>) {
        let document = Self.document
        router.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
    }
}
