/// Polls `condition` every `interval` until it holds or `timeout` passes; returns whether it
/// held. The one wait of the test suites: for something that will happen, never for something
/// that must not (check that by state instead).
///
/// ```swift
/// #expect(try await eventually { try await store.attempts().count == 2 })
/// ```
public func eventually(
    timeout: Duration = .seconds(10), interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}
