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
    func createSource(from json: [String: JSONValue], by origin: ChangeOrigin) async throws -> SourceResource {
        let (name, provider) = try SourceRequest.creation(json: json)
        let secret = WebhookSecrets.generate()
        let source = Source(name: name, provider: provider, secret: secret, now: WallClock.nowMillis())
        do {
            try await store.createSource(
                source, recording: RelayAuditEvent(.sourceCreated, by: origin, target: .source(source)))
        } catch StoreError.sourceNameTaken(let name) {
            throw Self.sourceNameTaken(name)
        }
        logger.info("source created", metadata: ["relay.source": "\(source.name)"])
        return sourceResource(source, secret: secret)
    }

    /// Renames the source with `id` (a PATCH body).
    func updateSource(id: String, json: [String: JSONValue], by origin: ChangeOrigin) async throws -> SourceResource {
        let name = try SourceRequest.rename(json: json)
        let (source, _) = try await modifySource(id: id, recording: .sourceUpdated, by: origin) { source in
            if let name { source.name = name }
        }
        return sourceResource(source)
    }

    /// "Change secret token": a new current secret, the previous one accepted for `grace`
    /// (`inbound.rotationGrace` when the body leaves it out). The new secret is answered in full.
    func rotateSource(id: String, json: [String: JSONValue], by origin: ChangeOrigin) async throws -> SourceResource {
        let rotation = try SourceRotation(json: json)
        let grace = (rotation.grace ?? configuration.inbound.rotationGrace).milliseconds
        let secret = WebhookSecrets.generate()
        let (source, _) = try await modifySource(id: id, recording: .sourceSecretRotated, by: origin) { source in
            source.secrets.rotate(to: secret, grace: grace, now: WallClock.nowMillis())
        }
        logger.info("source secret changed", metadata: ["relay.source": "\(source.name)"])
        return sourceResource(source, secret: secret)
    }

    /// The source with `id`, to show its current secret in full ("Show token"), or a `404`; the
    /// showing is recorded (`secret_revealed`) before the secret is answered.
    func revealSource(id: String, by origin: ChangeOrigin) async throws -> Source {
        let revealed = try await store.revealSource(id: id) { source in
            RelayAuditEvent(.sourceSecretRevealed, by: origin, target: .source(source))
        }
        guard let source = revealed else { throw RelayProblem.sourceNotFound(id) }
        logger.info("source secret revealed", metadata: ["relay.source": "\(source.name)"])
        return source
    }

    /// Deletes the source with `id`, or a `404`; the events it sent stay. Returns it as it was.
    @discardableResult
    func deleteSource(id: String, by origin: ChangeOrigin) async throws -> Source {
        let deleted = try await store.deleteSource(id: id) { source in
            RelayAuditEvent(.sourceDeleted, by: origin, target: .source(source))
        }
        guard let deleted else { throw RelayProblem.sourceNotFound(id) }
        return deleted
    }

    /// Changes the source with `id` atomically, stamping `updatedAt` when something changed, and
    /// records a `type` event naming what changed (none when nothing did); an unknown id is a
    /// `404`, a taken name a `422` on `name`.
    private func modifySource<T: Sendable>(
        id: String, recording type: RelayEventType, by origin: ChangeOrigin,
        _ change: @escaping @Sendable (inout Source) throws -> T
    ) async throws -> (source: Source, result: T) {
        let recording: @Sendable (Source, Source) -> RelayAuditEvent? = { before, after in
            let fields = after.changedFields(since: before)
            return fields.isEmpty ? nil : RelayAuditEvent(type, by: origin, target: .source(after), changes: fields)
        }
        do {
            return try await store.modifySource(id: id, recording: recording) { source in
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
