import Foundation
import RelayCore
import Testing

/// SPEC §3 `events`: exact names, `*`, and prefix patterns such as `repo.*`.
@Suite("EventTypePattern")
struct EventTypePatternTests {
    @Test("An exact name matches only itself")
    func exact() throws {
        let pattern = try EventTypePattern(parsing: "user.login")
        #expect(pattern.matches("user.login"))
        #expect(!pattern.matches("user.logout"))
        #expect(!pattern.matches("user.login.failed"))
        #expect(!pattern.matches("user"))
        #expect(!pattern.matches("User.Login"))
        #expect(pattern.description == "user.login")
    }

    @Test("* matches every type", arguments: ["user.login", "repo.create", "a", "x:y/z-1_2"])
    func everything(type: String) throws {
        #expect(try EventTypePattern(parsing: "*").matches(type))
    }

    @Test("repo.* matches types under repo.", arguments: ["repo.create", "repo.x.y", "repo.deleted", "repo.-"])
    func prefixMatches(type: String) throws {
        #expect(try EventTypePattern(parsing: "repo.*").matches(type))
    }

    @Test(
        "repo.* does not match repo itself or other prefixes", arguments: ["repo", "repo.", "repository.create", "rep"])
    func prefixDoesNotMatch(type: String) throws {
        #expect(try !EventTypePattern(parsing: "repo.*").matches(type))
    }

    @Test("Nested prefix patterns")
    func nestedPrefix() throws {
        let pattern = try EventTypePattern(parsing: "repo.branch.*")
        #expect(pattern.matches("repo.branch.create"))
        #expect(!pattern.matches("repo.create"))
        #expect(!pattern.matches("repo.branchy.create"))
    }

    @Test("The pattern reads back as written", arguments: ["*", "repo.*", "user.login", "a:b/c-d_e.*"])
    func description(text: String) throws {
        #expect(try EventTypePattern(parsing: text).description == text)
    }

    @Test(
        "Invalid patterns are a 422",
        arguments: [
            "", " ", "repo*", "re*po", "*.*", ".*", "**", "repo.**", "repo .*", "user login", "user.login!",
            "ünïcode", String(repeating: "a", count: 201), String(repeating: "a", count: 201) + ".*",
        ])
    func invalid(text: String) {
        let problem = #expect(throws: RelayProblem.self) { try EventTypePattern(parsing: text) }
        #expect(problem?.status == 422)
        #expect(problem?.errors.first?.field == "events")
    }

    @Test("The longest valid type is accepted")
    func longestType() throws {
        let type = String(repeating: "a", count: 200)
        #expect(try EventTypePattern(parsing: type).matches(type))
    }

    @Test("A list matches when any entry matches")
    func list() throws {
        let patterns = try ["repo.*", "user.login"].map { try EventTypePattern(parsing: $0) }
        #expect(patterns.matches("repo.create"))
        #expect(patterns.matches("user.login"))
        #expect(!patterns.matches("user.logout"))
        #expect(![EventTypePattern]().matches("user.login"))
    }

    @Test("Codable as its text, refusing invalid patterns")
    func codable() throws {
        let patterns = try JSONDecoder().decode([EventTypePattern].self, from: Data(#"["repo.*","*","a.b"]"#.utf8))
        #expect(patterns.map(\.description) == ["repo.*", "*", "a.b"])
        #expect(patterns[0].matches("repo.create"))
        let encoded = try JSONEncoder().encode(patterns)
        #expect(String(decoding: encoded, as: UTF8.self) == #"["repo.*","*","a.b"]"#)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([EventTypePattern].self, from: Data(#"["bad pattern"]"#.utf8))
        }
    }
}
