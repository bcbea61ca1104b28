import Foundation
import Testing

@testable import RelayCore

/// Round trips through the verifier `auditrelay verify` uses, and its refusals.
@Suite struct SignatureVerifierTests {
    let secrets = ["first-secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "third"]
    let body = Array(#"{"type":"user.login"}"#.utf8)
    let now: Int64 = 1_795_514_400

    private func signed(secrets: [String], timestamp: Int64? = nil) -> [String: String] {
        let pairs = Signer.headers(
            body: body, secrets: secrets, messageID: "msg_1", timestamp: timestamp ?? now, hubSignature: true)
        return Dictionary(pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
    }

    @Test func everySchemeRoundTripsAndNamesTheSecret() {
        let headers = signed(secrets: [secrets[1]])
        let results = SignatureVerifier.verify(headers: HeaderFields(headers), body: body, secrets: secrets, now: now)
        #expect(results.map(\.scheme) == ["X-Soteri-Signature", "webhook-signature", "X-Hub-Signature-256"])
        #expect(results.allSatisfy { $0.matchedSecret == 1 && $0.failure == nil })
    }

    @Test func headerNamesAreCaseInsensitive() {
        let headers = Dictionary(
            signed(secrets: secrets).map { ($0.key.uppercased(), $0.value) }, uniquingKeysWith: { $1 })
        let results = SignatureVerifier.verify(headers: HeaderFields(headers), body: body, secrets: secrets, now: now)
        #expect(results.count == 3)
        #expect(results.allSatisfy { $0.matchedSecret == 0 })
    }

    @Test func aTamperedBodyIsRefusedByEveryScheme() {
        let tampered = Array(#"{"type":"user.logout"}"#.utf8)
        let results = SignatureVerifier.verify(
            headers: HeaderFields(signed(secrets: secrets)), body: tampered, secrets: secrets, now: now)
        #expect(results.count == 3)
        #expect(results.allSatisfy { $0.matchedSecret == nil && $0.failure != nil })
    }

    @Test func aWrongSecretIsRefused() {
        let results = SignatureVerifier.verify(
            headers: HeaderFields(signed(secrets: ["sender-only"])), body: body, secrets: ["receiver-only"], now: now)
        #expect(results.allSatisfy { $0.failure == "no secret produced this signature" })
    }

    @Test func aStaleOrFutureTimestampIsRefused() {
        for skew: Int64 in [-301, 301, -86_400] {
            let results = SignatureVerifier.verify(
                headers: HeaderFields(signed(secrets: secrets, timestamp: now + skew)), body: body, secrets: secrets,
                now: now)
            let standard = results.first { $0.scheme == "webhook-signature" }
            #expect(standard?.matchedSecret == nil)
            #expect(standard?.failure?.contains("tolerance") == true)
        }
        let inside = SignatureVerifier.verify(
            headers: HeaderFields(signed(secrets: secrets, timestamp: now - 299)), body: body, secrets: secrets,
            now: now)
        #expect(inside.first { $0.scheme == "webhook-signature" }?.matchedSecret == 0)
    }

    @Test func missingIdOrTimestampIsRefused() {
        var headers = signed(secrets: secrets)
        headers["webhook-id"] = nil
        let results = SignatureVerifier.verify(headers: HeaderFields(headers), body: body, secrets: secrets, now: now)
        #expect(results.first { $0.scheme == "webhook-signature" }?.failure?.contains("required") == true)
    }

    @Test func unreadableSignaturesAreRefused() {
        let headers = ["X-Soteri-Signature": "not base64!", "X-Hub-Signature-256": "md5=abc"]
        let results = SignatureVerifier.verify(headers: HeaderFields(headers), body: body, secrets: secrets, now: now)
        #expect(results.count == 2)
        #expect(results.allSatisfy { $0.failure == "no signature could be read" })
    }
}
