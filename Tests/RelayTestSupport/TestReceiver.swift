import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Synchronization

/// One request as the test receiver got it off the wire.
public struct ReceivedRequest: Sendable {
    public var path: String
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]
    /// When it arrived.
    public var receivedAt: ContinuousClock.Instant

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// What the receiver answers.
public struct ReceiverReply: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: String
    /// Wait this long before answering (a slow or hanging destination).
    public var delay: Duration

    public init(status: Int = 200, headers: [String: String] = [:], body: String = "", delay: Duration = .zero) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
    }
}

/// An HTTPS server on 127.0.0.1 (certificate for `localhost`, signed by the test CA) that records
/// every request and answers as the test scripts it.
public final class TestReceiver: Sendable {
    public let port: Int
    private let log: RequestLog

    private init(port: Int, log: RequestLog) {
        self.port = port
        self.log = log
    }

    /// `https://localhost:<port><path>`.
    public func url(_ path: String = "/hook") -> String { "https://localhost:\(port)\(path)" }

    /// Requests received so far, optionally only those to `path`.
    public func requests(path: String? = nil) -> [ReceivedRequest] {
        log.entries.withLock { requests in requests.filter { path == nil || $0.path == path } }
    }

    /// Waits (polling, at most `timeout`) until `count` requests to `path` have arrived.
    public func waitForRequests(
        _ count: Int, path: String? = nil, timeout: Duration = .seconds(10)
    ) async throws -> [ReceivedRequest] {
        guard await eventually(timeout: timeout, { requests(path: path).count >= count }) else {
            throw ReceiverTimeout(expected: count, received: requests(path: path).count)
        }
        return requests(path: path)
    }

    /// Runs a receiver for the duration of `body`; `respond` is called for each request. With
    /// `clientCA`, the TLS handshake requires a client certificate that CA issued.
    public static func with<T: Sendable>(
        clientCA: String? = nil,
        respond: @escaping @Sendable (ReceivedRequest) async -> ReceiverReply = { _ in ReceiverReply() },
        _ body: (TestReceiver) async throws -> T
    ) async throws -> T {
        let log = RequestLog()
        let router = Router()
        router.post("/**") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 64 * 1024 * 1024)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let received = ReceivedRequest(
                path: request.uri.path, headers: headers, body: Array(bytes.readableBytesView), receivedAt: .now)
            log.entries.withLock { $0.append(received) }
            let reply = await respond(received)
            if reply.delay > .zero { try? await Task.sleep(for: reply.delay) }
            var fields = HTTPFields()
            for (name, value) in reply.headers {
                if let fieldName = HTTPField.Name(name) { fields[fieldName] = value }
            }
            return Response(
                status: .init(code: reply.status), headers: fields,
                body: .init(byteBuffer: ByteBuffer(string: reply.body)))
        }
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(TestFixtures.certificateFile).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: TestFixtures.keyFile, format: .pem)))
        if let clientCA {
            tls.certificateVerification = .noHostnameVerification
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(clientCA.utf8)))
        }
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "test-receiver")
        logger.logLevel = .warning
        let app = Application(
            router: router, server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw ReceiverTimeout(expected: 0, received: 0) }
            let receiver = TestReceiver(port: port, log: log)
            do {
                let result = try await body(receiver)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }
}

/// The receiver did not get the requests a test waited for.
public struct ReceiverTimeout: Error, CustomStringConvertible {
    public let expected: Int
    public let received: Int
    public var description: String { "expected \(expected) requests, received \(received)" }
}

private final class RequestLog: Sendable {
    let entries = Mutex<[ReceivedRequest]>([])
}
