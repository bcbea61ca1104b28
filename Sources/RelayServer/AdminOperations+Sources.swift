import RelayCore

/// The inbound-source operations the page uses: the same functions as `/v1/sources`.
extension AdminOperations {
    /// Every source (`GET /v1/sources`).
    public func sources() async throws -> [SourceResource] {
        try await admin.sourceResources()
    }

    /// Creates a source (`POST /v1/sources`); the answer carries its new token.
    public func createSource(_ json: [String: JSONValue]) async throws -> SourceResource {
        try await admin.createSource(from: json)
    }

    /// "Change secret token" (`POST /v1/sources/{id}/secret/rotate`); the answer carries the new token.
    public func rotateSource(id: String, _ json: [String: JSONValue]) async throws -> SourceResource {
        try await admin.rotateSource(id: id, json: json)
    }

    /// "Show token" (`POST /v1/sources/{id}/secret/reveal`).
    public func revealSource(id: String) async throws -> String {
        try await admin.revealSource(id: id).secret
    }

    /// Deletes a source (`DELETE /v1/sources/{id}`).
    public func deleteSource(id: String) async throws {
        try await admin.deleteSource(id: id)
    }
}
