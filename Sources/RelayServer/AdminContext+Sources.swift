import Logging
import RelayCore
import RelayStore

/// The admin operations on inbound sources (SPEC §12), shared by `/v1/sources` and the page.
extension AdminContext {
    /// Every source as the API shows it.
    func sourceResources() async throws -> [SourceResource] {
        try await store.sources().map { sourceResource($0) }
    }

    /// `source` as the API shows it, its status as of now (a grace that has ended shows, though
    /// the sweep has not written it yet); `secret` (a new one, in full) for create and rotate.
    func sourceResource(_ source: Source, secret: String? = nil) -> SourceResource {
        var current = source
        current.secrets.refresh(now: WallClock.nowMillis())
        return SourceResource(current, publicURL: configuration.server.publicURL, secret: secret)
    }

    /// The source with `id`, or a `404`.
    func source(id: String) async throws -> Source {
        guard let source = try await store.source(id: id) else { throw RelayProblem.sourceNotFound(id) }
        return source
    }

    /// Creates the source a create request describes, with a new secret token (answered in
    /// full this once); a bad member or a taken name is a `422` naming it.
    func createSource(from json: [String: JSONValue]) async throws -> SourceResource {
        let (name, provider) = try SourceRequest.creation(json: json)
        let secret = WebhookSecrets.generate()
        let source = Source(name: name, provider: provider, secret: secret, now: WallClock.nowMillis())
        do {
            try await store.createSource(source)
        } catch StoreError.sourceNameTaken(let name) {
            throw Self.sourceNameTaken(name)
        }
        logger.info("source created", metadata: ["relay.source": "\(source.name)"])
        return sourceResource(source, secret: secret)
    }

    /// Renames the source with `id` (a PATCH body).
    func updateSource(id: String, json: [String: JSONValue]) async throws -> SourceResource {
        let name = try SourceRequest.rename(json: json)
        let (source, _) = try await modifySource(id: id) { source in
            if let name { source.name = name }
        }
        return sourceResource(source)
    }

    /// "Change secret token": a new current secret, the previous one accepted for `grace`
    /// (`inbound.rotationGrace` when the body leaves it out). The new secret is answered in full.
    func rotateSource(id: String, json: [String: JSONValue]) async throws -> SourceResource {
        let rotation = try SourceRotation(json: json)
        let grace = (rotation.grace ?? configuration.inbound.rotationGrace).milliseconds
        let secret = WebhookSecrets.generate()
        let (source, _) = try await modifySource(id: id) { source in
            source.secrets.rotate(to: secret, grace: grace, now: WallClock.nowMillis())
        }
        logger.info("source secret changed", metadata: ["relay.source": "\(source.name)"])
        return sourceResource(source, secret: secret)
    }

    /// The current secret of the source with `id`, in full ("Show token").
    func revealSource(id: String) async throws -> SourceSecret {
        let source = try await source(id: id)
        logger.info("source secret revealed", metadata: ["relay.source": "\(source.name)"])
        return SourceSecret(secret: source.secrets.current)
    }

    /// Deletes the source with `id`, or a `404`; the events it sent stay.
    func deleteSource(id: String) async throws {
        guard try await store.deleteSource(id: id) else { throw RelayProblem.sourceNotFound(id) }
    }

    /// Changes the source with `id` atomically, stamping `updatedAt` when something changed; an
    /// unknown id is a `404`,
    /// a taken name a `422` on `name`.
    private func modifySource<T: Sendable>(id: String, _ change: @escaping @Sendable (inout Source) throws -> T)
        async throws -> (source: Source, result: T)
    {
        do {
            return try await store.modifySource(id: id) { source in
                let before = source
                let result = try change(&source)
                if source != before { source.updatedAt = WallClock.nowMillis() }
                return result
            }
        } catch StoreError.sourceNameTaken(let name) {
            throw Self.sourceNameTaken(name)
        } catch StoreError.sourceNotFound(let id) {
            throw RelayProblem.sourceNotFound(id)
        }
    }

    private static func sourceNameTaken(_ name: String) -> RelayProblem {
        .invalid([FieldError(field: "name", reason: "another source is already named '\(name)'")])
    }
}
