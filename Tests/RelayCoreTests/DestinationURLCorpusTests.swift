import RelayCore
import Testing

/// One corpus URL and what SPEC §3.1 requires of it.
struct DestinationURLCorpusEntry: Sendable, CustomTestStringConvertible {
    var url: String
    var expected: DestinationURLExpectation

    var testDescription: String {
        let escaped = url.unicodeScalars.map { $0.escaped(asASCII: true) }.joined()
        let shown = url.count > 80 ? "\"\(escaped.prefix(60))…\" (\(url.count) characters)" : "\"\(escaped)\""
        return "\(shown) \(expected)"
    }
}

/// SPEC §3.1: the attacker's corpus of destination URLs, run through `DestinationURL(validating:)`.
@Suite("DestinationURL corpus")
struct DestinationURLCorpusTests {
    static let corpus = DestinationURLCorpus.entries.map {
        DestinationURLCorpusEntry(url: $0.url, expected: $0.expected)
    }

    @Test("The corpus has at least 100 distinct URLs")
    func corpusSize() {
        let urls = Self.corpus.map(\.url)
        #expect(urls.count >= 100)
        #expect(Set(urls).count == urls.count, "duplicate URLs in the corpus")
    }

    @Test("The corpus exercises every refusal and acceptance")
    func corpusCoversEveryRule() {
        let refusals = Set(
            Self.corpus.compactMap { entry -> DestinationURL.Refusal? in
                guard case .refused(let refusal) = entry.expected else { return nil }
                return refusal
            })
        #expect(refusals == Set(DestinationURL.Refusal.allCases))
        #expect(Self.corpus.contains { if case .accepted = $0.expected { true } else { false } })
    }

    @Test("Accepted destinations have a lower-case host without a trailing dot")
    func acceptedHostsAreCanonical() {
        for entry in Self.corpus {
            guard case .accepted(let host, let port) = entry.expected else { continue }
            #expect(host == host.lowercased() && !host.hasSuffix(".") && !host.isEmpty, "\(entry.testDescription)")
            #expect((1...65535).contains(port), "\(entry.testDescription)")
        }
    }

    @Test("Each URL is accepted or refused as SPEC §3.1 requires", arguments: corpus)
    func corpusEntry(_ entry: DestinationURLCorpusEntry) {
        let problem = DestinationURL.problem(entry.url)
        switch entry.expected {
        case .accepted(let host, let port):
            #expect(problem == nil)
            do {
                let destination = try DestinationURL(validating: entry.url)
                #expect(destination.text == entry.url)
                #expect(destination.host == host)
                #expect(destination.port == port)
            } catch {
                Issue.record("refused: \(error.rawValue)")
            }
        case .refused(let refusal):
            #expect(problem == refusal.rawValue)
            #expect(throws: refusal) {
                try DestinationURL(validating: entry.url)
            }
        }
    }
}
