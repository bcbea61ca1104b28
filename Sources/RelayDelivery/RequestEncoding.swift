import NIOCore
import RelayCore

/// Lays out a delivery request as HTTP/1.1 bytes, head and body in one buffer, so it leaves in
/// one write (and, up to 16 KiB, as one TLS record).
///
/// ```
/// POST /services/collector HTTP/1.1
/// Host: splunk.example.com:8088
/// User-Agent: AuditRelay/0.1.0
/// …the request's headers, in order…
/// Content-Length: 231
///
/// {"time":…}
/// ```
enum RequestEncoding {
    /// A header name or value holds a line break or NUL, which would split the request.
    struct UnsafeHeader: Error, CustomStringConvertible {
        let name: String
        var description: String { "the header \(name) holds a line break or NUL" }
    }

    /// The bytes of `request` to `destination`; throws ``UnsafeHeader`` rather than encode a
    /// header that would end the head early (the URL and header rules already refuse them).
    static func encode(
        _ request: OutboundRequest, to destination: DestinationURL, allocator: ByteBufferAllocator
    ) throws -> ByteBuffer {
        let headerBytes = request.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
        var buffer = allocator.buffer(
            capacity: 64 + destination.requestTarget.utf8.count + destination.hostHeader.utf8.count + headerBytes
                + request.body.count)
        buffer.writeString("POST ")
        buffer.writeString(destination.requestTarget)
        buffer.writeString(" HTTP/1.1\r\nHost: ")
        buffer.writeString(destination.hostHeader)
        buffer.writeString("\r\n")
        for (name, value) in request.headers {
            guard isSafe(name), isSafe(value) else { throw UnsafeHeader(name: isSafe(name) ? name : "(unnamed)") }
            buffer.writeString(name)
            buffer.writeString(": ")
            buffer.writeString(value)
            buffer.writeString("\r\n")
        }
        buffer.writeString("Content-Length: ")
        buffer.writeString(String(request.body.count))
        buffer.writeString("\r\n\r\n")
        buffer.writeBytes(request.body)
        return buffer
    }

    /// Whether `text` has no CR, LF or NUL, scanned over its UTF-8 bytes in place (a dozen
    /// headers go with every request).
    private static func isSafe(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in !bytes.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 } }
    }
}
