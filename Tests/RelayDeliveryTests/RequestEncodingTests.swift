import NIOCore
import RelayCore
import RelayTestSupport
import Testing

@testable import RelayDelivery

/// The bytes of a delivery request, head and body in one buffer, and the headers that would
/// split a request refused before anything is sent.
@Suite struct RequestEncodingTests {
    private static func encode(_ headers: [(name: String, value: String)], url: String) throws -> String {
        let request = OutboundRequest(url: url, headers: headers, body: Array(#"{"a":1}"#.utf8))
        let buffer = try RequestEncoding.encode(
            request, to: try DestinationURL(validating: url), allocator: ByteBufferAllocator())
        return String(buffer: buffer)
    }

    @Test func theHeadNamesTheTargetHostAndLengthAndTheBodyFollowsIt() throws {
        let headers = [(name: "Content-Type", value: "application/json"), (name: "X-Trace", value: "a b")]
        #expect(
            try Self.encode(headers, url: "https://siem.example.com:8088/services/collector?channel=1")
                == "POST /services/collector?channel=1 HTTP/1.1\r\nHost: siem.example.com:8088\r\n"
                + "Content-Type: application/json\r\nX-Trace: a b\r\nContent-Length: 7\r\n\r\n{\"a\":1}")
        #expect(
            try Self.encode([], url: "https://hooks.example.com")
                == "POST / HTTP/1.1\r\nHost: hooks.example.com\r\nContent-Length: 7\r\n\r\n{\"a\":1}",
            "port 443 is left out of Host, and an empty path is /")
    }

    @Test(arguments: ["evil\r\nX-Injected: 1", "line\nfeed", "nul\u{0}byte"])
    func aValueThatWouldSplitTheHeadIsRefusedByName(_ value: String) throws {
        let error = #expect(throws: RequestEncoding.UnsafeHeader.self) {
            try Self.encode([(name: "X-Custom", value: value)], url: "https://hooks.example.com/in")
        }
        #expect(error?.description == "the header X-Custom holds a line break or NUL", "the value is not repeated")
    }

    @Test func aNameThatWouldSplitTheHeadIsRefusedWithoutRepeatingIt() throws {
        let error = #expect(throws: RequestEncoding.UnsafeHeader.self) {
            try Self.encode([(name: "X-A\r\nX-B", value: "v")], url: "https://hooks.example.com/in")
        }
        #expect(error?.description == "the header (unnamed) holds a line break or NUL")
    }

    @Test func theTransportSendsNothingForAnUnsafeHeaderAndSaysWhy() async throws {
        try await TestReceiver.with { receiver in
            let transport = try HTTPTransport(
                configuration: .init(trustedCAFile: TestFixtures.caFile, allowPrivateNetworks: true))
            let request = OutboundRequest(
                url: receiver.url("/unsafe"), headers: [(name: "X-Custom", value: "a\r\nb")], body: [])
            let reply = await transport.send(request)
            try await transport.shutdown()
            #expect(
                reply.response
                    == .transportFailure(TransportFailure(.other, "the header X-Custom holds a line break or NUL")))
            #expect(receiver.requests(path: "/unsafe").isEmpty)
        }
    }
}
