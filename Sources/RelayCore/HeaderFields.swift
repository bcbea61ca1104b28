/// A request's headers, looked up by name in any case: the names are lowercased once, when the
/// fields are made, and a name asked for is lowercased as it is looked up.
///
/// ```swift
/// let headers: HeaderFields = ["X-GitHub-Event": "push"]
/// headers["x-github-event"]  // "push"
/// headers["X-GITHUB-EVENT"]  // "push"
/// ```
///
/// When a name comes twice (in different cases), the last value is kept.
public struct HeaderFields: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    private var byName: [String: String] = [:]

    /// The fields of a request, in its order, named in any case.
    public init(_ fields: [(name: String, value: String)]) {
        for (name, value) in fields { byName[name.lowercased()] = value }
    }

    /// The fields of a dictionary whose keys may be in any case.
    public init(_ fields: [String: String]) {
        self.init(fields.map { (name: $0.key, value: $0.value) })
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements.map { (name: $0.0, value: $0.1) })
    }

    /// The value of the field `name` (any case), if the request has it.
    public subscript(name: String) -> String? {
        byName[name.lowercased()]
    }
}
