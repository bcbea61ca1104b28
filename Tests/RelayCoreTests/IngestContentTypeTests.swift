import RelayCore
import Testing

/// SPEC §2: the body format is chosen by `Content-Type`.
@Suite("IngestContentType")
struct IngestContentTypeTests {
    @Test(
        "Supported media types, with or without parameters",
        arguments: [
            ("application/json", IngestContentType.json),
            ("application/json; charset=utf-8", .json),
            ("Application/JSON;charset=UTF-8", .json),
            ("  application/json  ", .json),
            ("application/x-ndjson", .ndjson),
            ("application/x-ndjson ; charset=utf-8", .ndjson),
            ("application/cloudevents+json", .cloudEvent),
            ("application/cloudevents+json; charset=UTF-8", .cloudEvent),
            ("application/cloudevents-batch+json", .cloudEventBatch),
            ("APPLICATION/CLOUDEVENTS-BATCH+JSON; charset=utf-8", .cloudEventBatch),
        ])
    func supported(header: String, expected: IngestContentType) {
        #expect(IngestContentType(header: header) == expected)
    }

    @Test(
        "Unsupported media types",
        arguments: [
            "", "text/plain", "application/xml", "application/json-seq", "application/jsonx", "json",
            "application/*", "*/*", "multipart/form-data; boundary=x", "text/json",
            "application/cloudevents", "application/cloudevents-batch",
        ])
    func unsupported(header: String) {
        #expect(IngestContentType(header: header) == nil)
    }

    @Test("Every advertised media type is understood")
    func supportedListIsAccepted() {
        #expect(IngestContentType.supported.count == 4)
        for mediaType in IngestContentType.supported {
            #expect(IngestContentType(header: mediaType) != nil, "\(mediaType)")
        }
    }
}
