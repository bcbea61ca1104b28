import Foundation
import RelayCore
import RelayTestSupport
import Synchronization
import Testing

@testable import RelayDelivery

/// `MessageSender` against a real TLS receiver: which requests a split group is answered in, and
/// what shutdown leaves unsent.
@Suite(.timeLimit(.minutes(1))) struct MessageSenderTests {
    private static func group(_ count: Int) -> (envelopes: [MessageEnvelope], pieces: [[UInt8]]) {
        let envelopes = (1...count).map { index in
            MessageEnvelope(
                messageID: "msg_\(index)", sequence: Int64(index), attempt: 1,
                event: AuditEvent(
                    id: "c\(index)", type: "user.login", occurredAt: 0,
                    body: Data(#"{"type":"user.login","id":"c\#(index)"}"#.utf8)))
        }
        return (envelopes, envelopes.map { Array($0.event.body) + [UInt8(ascii: "\n")] })
    }

    private static func sender() throws -> MessageSender {
        let transport = try HTTPTransport(
            configuration: HTTPTransport.Configuration(
                connectTimeout: .seconds(30), timeout: .seconds(20), trustedCAFile: TestFixtures.caFile,
                allowPrivateNetworks: true))
        return MessageSender(transport: transport, tokens: OAuthTokens(), maxRetryAfterMillis: 60_000)
    }

    private static func webhook(_ url: String) -> Webhook {
        Webhook(
            id: "wh_sender", name: "sender", kind: .custom, url: url, events: [], format: .ndjson,
            allowPrivateNetwork: true,
            batch: BatchSettings(maxEvents: 4, maxBytes: 1_000_000, maxWait: .init(milliseconds: 100)),
            createdAt: 0, updatedAt: 0)
    }

    @Test func aSplitGroupIsAnsweredPerRequestAndShutdownLeavesOnlyTheUnansweredHalf() async throws {
        let hanging = Mutex(false)
        try await TestReceiver.with(respond: { request in
            let lines = request.text.split(separator: "\n").count
            if lines > 2 { return ReceiverReply(status: 413) }
            if request.text.contains(#""id":"c3""#) {
                hanging.withLock { $0 = true }
                try? await Task.sleep(for: .seconds(15))
            }
            return ReceiverReply()
        }) { receiver in
            let sender = try Self.sender()
            let (envelopes, pieces) = Self.group(4)
            let webhook = Self.webhook(receiver.url("/batch"))
            let layout = MessageLayout(for: webhook)
            let send = Task {
                await sender.send(envelopes, pieces: pieces, to: webhook, layout: layout, timestamp: 0)
            }
            #expect(await eventually(timeout: .seconds(10)) { hanging.withLock { $0 } })
            send.cancel()
            let delivery = await send.value
            // The first half was answered 200 and is not sent again; the second half was cut off.
            #expect(delivery.answers.map(\.range) == [0..<2])
            #expect(delivery.answers.first?.response.httpStatus == 200)
            #expect(delivery.answers.first?.verdicts == [.delivered, .delivered])
            #expect(delivery.cutOff == [2..<4])
            #expect(receiver.requests().map { $0.text.split(separator: "\n").count } == [4, 2, 2])
            try await sender.transport.shutdown()
        }
    }
}
