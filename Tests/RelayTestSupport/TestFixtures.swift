import Foundation

/// Paths of the checked-in test TLS material (see Fixtures/README.md), and temporary directories.
public enum TestFixtures {
    private static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The test CA that signed `localhost.pem`; give it to the relay as `delivery.trustedCAFile`.
    public static let caFile = directory.appendingPathComponent("ca.pem").path
    /// The receiver's certificate, for `localhost` and `receiver.test`.
    public static let certificateFile = directory.appendingPathComponent("localhost.pem").path
    /// The receiver's private key.
    public static let keyFile = directory.appendingPathComponent("localhost.key").path

    /// A fresh, empty temporary directory. It lives in a directory of this test process's own,
    /// which is removed with everything in it when the process exits (and, should a run have been
    /// killed, at the next run's first call).
    public static func temporaryDirectory() throws -> URL {
        let url = processDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private static let processDirectory: URL = {
        let parent = FileManager.default.temporaryDirectory
        let prefix = "auditrelay-tests-"
        for stale in (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
        where stale.hasPrefix(prefix) {
            if let pid = Int32(stale.dropFirst(prefix.count)), kill(pid, 0) != 0 {
                try? FileManager.default.removeItem(at: parent.appendingPathComponent(stale))
            }
        }
        atexit {
            let own = FileManager.default.temporaryDirectory.appendingPathComponent("auditrelay-tests-\(getpid())")
            try? FileManager.default.removeItem(at: own)
        }
        return parent.appendingPathComponent(prefix + String(getpid()))
    }()
}
