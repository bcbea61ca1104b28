import RelayCore
import RelayTestSupport
import Testing

@testable import RelayDelivery

/// How a delivery request crosses the wire: each leaves as one TLS record (head and body
/// together), seen by a tap between the transport and a real TLS receiver.
@Suite(.timeLimit(.minutes(1))) struct RequestFramingTests {
    @Test func eachRequestOnAKeptAliveConnectionIsOneTLSRecord() async throws {
        try await TestReceiver.with { receiver in
            try await TLSRecordTap.with(forwardingTo: receiver.port) { tap in
                let transport = try HTTPTransport(
                    configuration: .init(
                        trustedCAFile: TestFixtures.caFile, allowPrivateNetworks: true, connectionsPerHost: 1))
                let request = OutboundRequest(
                    url: "https://localhost:\(tap.port)/hook",
                    headers: [(name: "Content-Type", value: "application/json")],
                    body: Array(#"{"type":"user.login","data":"\#(String(repeating: "x", count: 1000))"}"#.utf8))
                var statuses: [AttemptResponse] = []
                // The first request also opens the connection (the TLS 1.3 Finished is a record too).
                statuses.append(await transport.send(request).response)
                let recordsBefore = tap.applicationDataRecords
                for _ in 1...5 { statuses.append(await transport.send(request).response) }
                let records = tap.applicationDataRecords - recordsBefore
                try await transport.shutdown()

                #expect(statuses == Array(repeating: .http(status: 200, retryAfter: nil, body: []), count: 6))
                #expect(tap.connections == 1)
                #expect(records == 5, "each request is one write of head and body together")
                #expect(receiver.requests(path: "/hook").map(\.body) == Array(repeating: request.body, count: 6))
            }
        }
    }

    @Test func aBodyLargerThanARecordArrivesWholeAfterSmallRequests() async throws {
        try await TestReceiver.with { receiver in
            let transport = try HTTPTransport(
                configuration: .init(
                    trustedCAFile: TestFixtures.caFile, allowPrivateNetworks: true, connectionsPerHost: 1))
            let bodies = [
                Array("small".utf8), (0..<200_000).map { UInt8(truncatingIfNeeded: $0 % 251) }, Array("tail".utf8),
            ]
            var responses: [AttemptResponse] = []
            for body in bodies {
                let request = OutboundRequest(url: receiver.url("/large"), headers: [], body: body)
                responses.append(await transport.send(request).response)
            }
            try await transport.shutdown()

            #expect(responses == Array(repeating: .http(status: 200, retryAfter: nil, body: []), count: 3))
            #expect(receiver.requests(path: "/large").map(\.body) == bodies)
        }
    }
}
