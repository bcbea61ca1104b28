import NIOCore

/// Runs `body` while `server` listens, then closes it, whether `body` returned or threw.
func closing<T: Sendable>(_ server: any Channel, after body: () async throws -> T) async throws -> T {
    do {
        let result = try await body()
        try await server.close()
        return result
    } catch {
        try? await server.close()
        throw error
    }
}
