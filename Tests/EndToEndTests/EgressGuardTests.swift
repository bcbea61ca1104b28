import Foundation
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

/// The egress guard refuses destinations that resolve to non-public addresses (SPEC §5.3).
@Suite struct EgressGuardTests {
    @Test func localhostIsRefusedWithoutAConnectionUnlessAllowed() async throws {
        try await AcceptCounter.with { counter in
            let webhooks = { (receiver: TestReceiver) throws -> [WebhookSpec] in
                var allowed = try hook("allowed", url: receiver.url("/allowed"), events: ["allowed"])
                allowed.allowPrivateNetwork = true
                return [
                    try hook("guarded", url: "https://localhost:\(counter.port)/guarded", events: ["guarded"]), allowed,
                ]
            }
            try await withReceivingRelay(
                webhooks: webhooks,
                configure: {
                    $0.delivery.allowPrivateNetworks = false
                    $0.delivery.retrySchedule = Array(repeating: RelayDuration(milliseconds: 50), count: 30)
                }
            ) { relay, receiver in
                #expect(try await relay.postEvents(#"{"type":"guarded","id":"g"}"#).status == 202)
                let store = try relay.openStore()
                #expect(try await eventually(timeout: .seconds(30)) { try await store.attempts().count >= 20 })
                let refusals = try await store.attempts()
                #expect(refusals.allSatisfy { $0.outcome == .retrying && $0.httpStatus == nil })
                #expect(refusals.first?.error == "destination resolves to a non-public address (127.0.0.1)")
                // No socket is made for a refused destination: `Connector.open` checks the resolved
                // addresses before it creates one. (A count of the process's descriptors cannot
                // show that here: it is shared with the tests running beside this one.)
                #expect(counter.accepted == 0, "no connection reached the refused address")

                #expect(try await relay.postEvents(#"{"type":"allowed","id":"a"}"#).status == 202)
                _ = try await receiver.waitForRequests(1, path: "/allowed")
                #expect(
                    try await eventually {
                        try await store.messageStatuses(eventID: "a").first?.status == .delivered
                    })
            }
        }
    }

    @Test func theGlobalSwitchAllowsPrivateNetworks() async throws {
        try await withReceivingRelay(
            webhooks: { [try hook("w", url: $0.url())] }, configure: { $0.delivery.allowPrivateNetworks = true }
        ) { relay, receiver in
            let reply = try await relay.postEvents(#"{"type":"user.login"}"#)
            #expect(reply.status == 202)
            let received = try await receiver.waitForRequests(1)
            #expect(received.count == 1)
        }
    }
}
