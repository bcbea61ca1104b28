import Foundation

/// Paths of the checked-in test TLS material (see Fixtures/README.md).
public enum TestFixtures {
    private static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The test CA that signed `localhost.pem`; give it to the relay as `delivery.trustedCAFile`.
    public static let caFile = directory.appendingPathComponent("ca.pem").path
    /// The receiver's certificate, for `localhost` and `receiver.test`.
    public static let certificateFile = directory.appendingPathComponent("localhost.pem").path
    /// The receiver's private key.
    public static let keyFile = directory.appendingPathComponent("localhost.key").path

    /// A fresh, empty temporary directory.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("auditrelay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
