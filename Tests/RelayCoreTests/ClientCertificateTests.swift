import Foundation
import RelayCore
import RelayTestSupport
import Testing

/// A webhook's TLS client certificate (SPEC §3.2): read from PEM, refused when the key is not the
/// certificate's or the certificate has expired, and edited field by field through the API's rules.
@Suite struct ClientCertificateTests {
    private static let ca = Result { try TestClientCA() }

    private static func issued(notValidAfter: Date = Date() + 86_400) throws -> TestClientCA.Issued {
        try ca.get().issue(commonName: "relay.test", notValidAfter: notValidAfter)
    }

    @Test func aMatchingPairIsReadWithItsSubjectExpiryAndFingerprint() throws {
        let expiry = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 86_400).rounded(.down))
        let pair = try Self.issued(notValidAfter: expiry)
        let certificate = try ClientCertificate(certificatePEM: pair.certificatePEM, keyPEM: pair.keyPEM)
        #expect(certificate.subject == "CN=relay.test,O=Acme")
        #expect(certificate.notValidAfter == Int64(expiry.timeIntervalSince1970) * 1000)
        #expect(certificate.fingerprint.count == 64 && Hex.decode(certificate.fingerprint) != nil)
        #expect(certificate.expiryProblem(now: WallClock.nowMillis()) == nil)
        #expect(
            certificate.expiryProblem(now: certificate.notValidAfter + 1)
                == FieldError(
                    field: "clientCertificate",
                    reason: "expired on \(RFC3339.format(millis: certificate.notValidAfter))"
                ))
    }

    @Test func aChainAfterTheCertificateIsKeptAndTheFirstCertificateIsTheOneRead() throws {
        let pair = try Self.issued()
        let chain = pair.certificatePEM + (try Self.ca.get().certificatePEM)
        let certificate = try ClientCertificate(certificatePEM: chain, keyPEM: pair.keyPEM)
        #expect(certificate.certificatePEM == chain)
        #expect(certificate.subject == "CN=relay.test,O=Acme")
    }

    @Test func aKeyOfAnotherCertificateIsRefused() throws {
        let pair = try Self.issued()
        let other = try Self.issued()
        let error = try #require(throws: FieldError.self) {
            try ClientCertificate(certificatePEM: pair.certificatePEM, keyPEM: other.keyPEM)
        }
        #expect(error == FieldError(field: "clientKey", reason: "does not match clientCertificate"))
    }

    @Test(arguments: [
        ("not pem", "clientCertificate"),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "clientCertificate"),
        ("key in the certificate's place", "clientCertificate"),
        ("certificate in the key's place", "clientKey"),
        ("encrypted key", "clientKey"),
    ])
    func textThatIsNotTheRightPEMNamesTheField(_ input: String, _ field: String) throws {
        let pair = try Self.issued()
        let encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n"
        let (certificate, key): (String, String) =
            switch input {
            case "key in the certificate's place": (pair.keyPEM, pair.keyPEM)
            case "certificate in the key's place": (pair.certificatePEM, pair.certificatePEM)
            case "encrypted key": (pair.certificatePEM, encrypted)
            default: (input, pair.keyPEM)
            }
        let error = try #require(throws: FieldError.self) {
            try ClientCertificate(certificatePEM: certificate, keyPEM: key)
        }
        #expect(error.field == field)
        let material = (certificate + key).split(separator: "\n").filter { !$0.hasPrefix("-----") && $0.count > 3 }
        #expect(material.allSatisfy { !error.reason.contains($0) }, "the reason quotes none of the PEM text")
    }

    // MARK: - Through the API's webhook rules

    private static let base: [String: JSONValue] = [
        "name": .string("qradar"), "url": .string("https://qradar.example.com/in"), "events": .array([.string("*")]),
    ]

    private static func create(_ members: [String: JSONValue]) throws -> WebhookSpec {
        try WebhookInput.create(from: base.merging(members) { $1 })
    }

    private static func problem(_ body: () throws -> WebhookSpec) throws -> [FieldError] {
        try #require(throws: RelayProblem.self) { try body() }.errors
    }

    private static func webhook(_ certificate: ClientCertificate?) throws -> Webhook {
        try create([:]).makeWebhook(id: "wh_1", now: 0).with { $0.clientCertificate = certificate }
    }

    @Test func createTakesBothAndRefusesEitherAlone() throws {
        let pair = try Self.issued()
        let spec = try Self.create([
            "clientCertificate": .string(pair.certificatePEM), "clientKey": .string(pair.keyPEM),
        ])
        #expect(spec.clientCertificate?.keyPEM == pair.keyPEM)
        #expect(
            try Self.problem { try Self.create(["clientCertificate": .string(pair.certificatePEM)]) }
                == [FieldError(field: "clientKey", reason: "is required with clientCertificate")])
        #expect(
            try Self.problem { try Self.create(["clientKey": .string(pair.keyPEM)]) }
                == [FieldError(field: "clientCertificate", reason: "is required with clientKey")])
    }

    @Test func anExpiredCertificateIsRefusedOnCreate() throws {
        let pair = try Self.issued(notValidAfter: Date() - 60)
        let errors = try Self.problem {
            try Self.create(["clientCertificate": .string(pair.certificatePEM), "clientKey": .string(pair.keyPEM)])
        }
        #expect(errors.map(\.field) == ["clientCertificate"])
        #expect(errors.first?.reason.hasPrefix("expired on ") == true)
    }

    @Test func aSlackWebhookTakesNoClientCertificate() throws {
        let pair = try Self.issued()
        let errors = try Self.problem {
            try Self.create([
                "kind": .string("slack"), "url": .string("https://hooks.slack.com/services/T0/B0/x"),
                "clientCertificate": .string(pair.certificatePEM), "clientKey": .string(pair.keyPEM),
            ])
        }
        #expect(errors == [FieldError(field: "clientCertificate", reason: "applies to custom webhooks only")])
    }

    @Test func updateRenewsTheCertificateForTheSameKeyAndNullRemovesBoth() throws {
        let pair = try Self.issued()
        let current = try ClientCertificate(certificatePEM: pair.certificatePEM, keyPEM: pair.keyPEM)
        let webhook = try Self.webhook(current)
        let kept = try WebhookInput.update(webhook, with: ["name": .string("renamed")])
        #expect(kept.clientCertificate == current)

        let other = try Self.issued()
        #expect(
            try Self.problem {
                try WebhookInput.update(webhook, with: ["clientCertificate": .string(other.certificatePEM)])
            } == [FieldError(field: "clientKey", reason: "does not match clientCertificate")])
        let replaced = try WebhookInput.update(
            webhook, with: ["clientCertificate": .string(other.certificatePEM), "clientKey": .string(other.keyPEM)])
        #expect(replaced.clientCertificate?.keyPEM == other.keyPEM)

        let removed = try WebhookInput.update(webhook, with: ["clientCertificate": .null])
        #expect(removed.clientCertificate == nil)
        #expect(
            try Self.problem { try WebhookInput.update(webhook, with: ["clientKey": .null]) }
                == [FieldError(field: "clientKey", reason: "is removed with clientCertificate: null")])
        let withoutOne = try Self.webhook(nil)
        #expect(
            try Self.problem { try WebhookInput.update(withoutOne, with: ["clientKey": .string(pair.keyPEM)]) }
                == [FieldError(field: "clientCertificate", reason: "is required with clientKey")])
    }

    @Test func aDeclaredWebhookReadsThePairFromTheConfigurationFile() throws {
        let pair = try Self.issued()
        let text = """
            {"name": "qradar", "url": "https://qradar.example.com/in", "events": ["*"],
             "clientCertificate": \(String(decoding: try JSONEncoder().encode(pair.certificatePEM), as: UTF8.self)),
             "clientKey": \(String(decoding: try JSONEncoder().encode(pair.keyPEM), as: UTF8.self))}
            """
        let spec = try JSONDecoder().decode(WebhookSpec.self, from: Data(text.utf8))
        #expect(spec.clientCertificate?.subject == "CN=relay.test,O=Acme")
        let mismatched = text.replacingOccurrences(
            of: String(decoding: try JSONEncoder().encode(pair.keyPEM), as: UTF8.self),
            with: String(decoding: try JSONEncoder().encode(try Self.issued().keyPEM), as: UTF8.self))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(WebhookSpec.self, from: Data(mismatched.utf8)) }
    }
}

extension Webhook {
    fileprivate func with(_ change: (inout Webhook) -> Void) -> Webhook {
        var copy = self
        change(&copy)
        return copy
    }
}
