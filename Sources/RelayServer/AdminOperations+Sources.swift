import RelayCore

/// The inbound-source operations the page uses: the same functions as `/v1/sources`. Each change
/// is recorded as an audit event by `origin` (SPEC §13).
extension AdminOperations {
    /// Every source (`GET /v1/sources`).
    public func sources() async throws -> [SourceResource] {
        try await admin.sourceResources()
    }

    /// Creates a source (`POST /v1/sources`); the answer carries its new token.
    public func createSource(_ json: [String: JSONValue], by origin: ChangeOrigin) async throws -> SourceResource {
        try await admin.createSource(from: json, by: origin)
    }

    /// "Change secret token" (`POST /v1/sources/{id}/secret/rotate`); the answer carries the new token.
    public func rotateSource(id: String, _ json: [String: JSONValue], by origin: ChangeOrigin) async throws
        -> SourceResource
    {
        try await admin.rotateSource(id: id, json: json, by: origin)
    }

    /// "Show token" (`POST /v1/sources/{id}/secret/reveal`): the source with its current token.
    public func revealSource(id: String, by origin: ChangeOrigin) async throws -> SourceResource {
        let source = try await admin.revealSource(id: id, by: origin)
        return admin.sourceResource(source, secret: source.secrets.current)
    }

    /// Deletes a source (`DELETE /v1/sources/{id}`); returns it as it was.
    @discardableResult
    public func deleteSource(id: String, by origin: ChangeOrigin) async throws -> SourceResource {
        admin.sourceResource(try await admin.deleteSource(id: id, by: origin))
    }
}
