import Crypto
import Foundation
import RelayCore
import RelayTestSupport
import Testing

@testable import RelayStore

/// SPEC §3.2: secrets, authorization values and client certificates' keys are encrypted at rest.
@Suite("Secrets at rest")
struct SecretsAtRestTests {
    private let secret = "whsec_plaintextSECRET1"
    private let authorization = "Bearer plainAUTHvalue"
    private let clientIdentity = Result { try TestClientCA().issue() }

    /// The raw bytes of the database file and its WAL (when present).
    private func rawFiles(_ temporary: TemporaryStore) throws -> [(name: String, bytes: Data)] {
        try ["", "-wal"].compactMap { suffix in
            let path = temporary.path + suffix
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            return (path, try Data(contentsOf: URL(fileURLWithPath: path)))
        }
    }

    private func expectNoPlaintext(in temporary: TemporaryStore) throws {
        let files = try rawFiles(temporary)
        #expect(files.contains { $0.name.hasSuffix(".sqlite") })
        for (name, bytes) in files {
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "secret in \(name)")
            #expect(bytes.range(of: Data("plaintextSECRET1".utf8)) == nil, "secret in \(name)")
            #expect(bytes.range(of: Data("plainAUTHvalue".utf8)) == nil, "authorization in \(name)")
            for line in try clientIdentity.get().keyPEM.split(separator: "\n") where !line.hasPrefix("-----") {
                #expect(bytes.range(of: Data(line.utf8)) == nil, "client key in \(name)")
            }
        }
    }

    @Test("neither the database file nor its WAL holds a secret or authorization in plaintext")
    func secretsAreSealedOnDisk() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let store = try temporary.open()
        var spec = try webhookSpec("sealed", events: ["*"], secrets: [secret], authorization: authorization)
        let identity = try clientIdentity.get()
        spec.clientCertificate = try ClientCertificate(certificatePEM: identity.certificatePEM, keyPEM: identity.keyPEM)
        let id = try await store.declare([spec])["sealed"]
        // The name is stored in clear, so finding it proves the scan reads the right bytes.
        #expect(try rawFiles(temporary).contains { $0.bytes.range(of: Data("sealed".utf8)) != nil })
        try expectNoPlaintext(in: temporary)
        try store.closeFile()
        try expectNoPlaintext(in: temporary)

        let reopened = try temporary.open()
        defer { try? reopened.closeFile() }
        let webhook = try #require(try await reopened.webhook(id: id))
        #expect(webhook.secrets == [secret])
        #expect(webhook.authorization == authorization)
        #expect(webhook.clientCertificate == spec.clientCertificate)
    }

    @Test("a Slack webhook's URL is sealed: the file holds only what reads show, and the store gives it back whole")
    func slackURLIsSealedOnDisk() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let url = "https://hooks.slack.com/services/T0SEALED1/B0SEALED2/sealedSlackPath"
        let store = try temporary.open()
        var spec = try webhookSpec("alerts", events: ["*"], url: url)
        spec.kind = .slack
        let id = try #require(try await store.declare([spec])["alerts"])
        try store.closeFile()
        let files = try rawFiles(temporary)
        #expect(files.contains { $0.bytes.range(of: Data("https://hooks.slack.com/services/T…".utf8)) != nil })
        for (name, bytes) in files {
            for part in ["T0SEALED1", "B0SEALED2", "sealedSlackPath"] {
                #expect(bytes.range(of: Data(part.utf8)) == nil, "\(part) in \(name)")
            }
        }
        let reopened = try temporary.open()
        defer { try? reopened.closeFile() }
        #expect(try await reopened.webhook(id: id)?.url == url)
    }

    @Test("a store opened with another key cannot read the secrets")
    func anotherKeyCannotOpen() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        do {
            let store = try temporary.open()
            try await store.declare([try webhookSpec("sealed", events: ["*"], secrets: [secret])])
            try store.closeFile()
        }
        let stranger = try AuditStore(path: temporary.path, sealer: SecretSealer(key: SymmetricKey(size: .bits256)))
        defer { try? stranger.closeFile() }
        await #expect(throws: (any Error).self) { try await stranger.webhooks() }
    }

    @Test("load creates a 0600 key file on first use and reads the same key afterwards")
    func keyFileIsCreatedAndReused() throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let keyFile = temporary.directory.appendingPathComponent("auditrelay.key").path
        let first = try SecretSealer.load(environmentKey: nil, keyFile: keyFile)
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let text = try String(contentsOfFile: keyFile, encoding: .utf8)
        #expect(Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines))?.count == 32)

        let second = try SecretSealer.load(environmentKey: "", keyFile: keyFile)
        #expect(try second.open(try first.seal("round trip")) == "round trip")
        #expect(try String(contentsOfFile: keyFile, encoding: .utf8) == text)
    }

    @Test("a malformed key file is refused")
    func malformedKeyFile() throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let keyFile = temporary.directory.appendingPathComponent("bad.key").path
        try Data("not a key".utf8).write(to: URL(fileURLWithPath: keyFile))
        #expect(throws: StoreError.invalidKeyFile(keyFile)) {
            try SecretSealer.load(environmentKey: nil, keyFile: keyFile)
        }
    }

    @Test("a base64 32-byte environment key is used as is, and no key file is made")
    func environmentKey() throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let keyFile = temporary.directory.appendingPathComponent("unused.key").path
        let key = SymmetricKey(size: .bits256)
        let encoded = key.withUnsafeBytes { Data($0).base64EncodedString() }
        let loaded = try SecretSealer.load(environmentKey: encoded, keyFile: keyFile)
        #expect(try SecretSealer(key: key).open(try loaded.seal("value")) == "value")
        #expect(!FileManager.default.fileExists(atPath: keyFile))

        let passphrase = try SecretSealer.load(environmentKey: "a passphrase", keyFile: keyFile)
        let again = try SecretSealer.load(environmentKey: "a passphrase", keyFile: keyFile)
        #expect(try again.open(try passphrase.seal("value")) == "value")
    }

    @Test("a sealed value is not the plaintext, differs each time and opens to the plaintext")
    func sealing() throws {
        let sealer = SecretSealer(key: SymmetricKey(size: .bits256))
        let first = try sealer.seal(secret)
        let second = try sealer.seal(secret)
        #expect(first != second)
        #expect(first.range(of: Data(secret.utf8)) == nil)
        #expect(try sealer.open(first) == secret)
        #expect(throws: (any Error).self) { try SecretSealer(key: SymmetricKey(size: .bits256)).open(first) }
    }

    @Test("token hashes are stored and listed by role")
    func tokenHashesByRole() async throws {
        try await withTemporaryStore { store, _ in
            #expect(try await store.tokenHashes(role: .admin).isEmpty)
            try await store.addTokenHash("aa11", role: .admin, now: 1)
            try await store.addTokenHash("bb22", role: .ingest, now: 2)
            try await store.addTokenHash("cc33", role: .admin, now: 3)
            try await store.addTokenHash("aa11", role: .admin, now: 4)
            #expect(try await store.tokenHashes(role: .admin) == ["aa11", "cc33"])
            #expect(try await store.tokenHashes(role: .ingest) == ["bb22"])
        }
    }
}
