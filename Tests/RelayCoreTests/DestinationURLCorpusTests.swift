import RelayCore
import Testing

/// One corpus URL and what SPEC §3.1 requires of it.
struct DestinationURLCorpusEntry: Sendable, CustomTestStringConvertible {
    var url: String
    var expected: DestinationURLExpectation

    var testDescription: String {
        let shown = url.count > 80 ? "\(url.prefix(60))… (\(url.count) characters)" : url
        return "\(shown.debugDescription) \(expected)"
    }
}

/// SPEC §3.1: the attacker's corpus of destination URLs, run through `DestinationURL(validating:)`.
@Suite("DestinationURL corpus")
struct DestinationURLCorpusTests {
    /// Corpus URLs on which the code disagrees with the SPEC today, with the disagreement.
    /// Sources are not changed by these tests; each entry keeps the SPEC's expectation inside `withKnownIssue`.
    static let knownDisagreements: [String: String] = [
        "https://example.com/\u{90}":
            "U+0090 is a C1 control character (SPEC: no control characters) but is accepted; "
            + "the check refuses only U+0000-U+001F, U+007F and Unicode White_Space",
        "https://example.com/\u{9F}":
            "U+009F is a C1 control character (SPEC: no control characters) but is accepted",
        "https://exa\u{90}mple.com/":
            "U+0090 in the host is refused as a non-ASCII host instead of as a control character",
        "https://example.com:443:443/":
            "a second port is refused as 'the host may not be an IP address' instead of naming the port rule",
        DestinationURLCorpus.multibytePath:
            "1,120 characters are refused as too long: the limit is applied to UTF-8 bytes (2,220), "
            + "SPEC says at most 2048 characters",
    ]

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

    @Test("Every known disagreement is a corpus URL")
    func knownDisagreementsAreInTheCorpus() {
        let urls = Set(Self.corpus.map(\.url))
        for url in Self.knownDisagreements.keys {
            #expect(urls.contains(url), "\(url.debugDescription) is not in the corpus")
        }
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
        if let disagreement = Self.knownDisagreements[entry.url] {
            withKnownIssue(Comment(rawValue: disagreement)) {
                Self.check(entry)
            }
        } else {
            Self.check(entry)
        }
    }

    private static func check(_ entry: DestinationURLCorpusEntry) {
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
