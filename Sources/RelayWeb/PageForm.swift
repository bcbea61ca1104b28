import Foundation
import Hummingbird
import RelayCore

/// The members of an `application/x-www-form-urlencoded` form post, in order; a name may repeat
/// (checkboxes, rows).
struct PageForm: Sendable {
    /// The most bytes a form may have.
    static let maxBytes = 65_536

    let members: [(name: String, value: String)]

    init(_ members: [(name: String, value: String)]) {
        self.members = members
    }

    /// Reads the form `request` carries.
    init(_ request: Request) async throws {
        self.init(body: String(buffer: try await request.body.collect(upTo: Self.maxBytes)))
    }

    init(body: String) {
        members = body.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
    }

    /// The first value of `name`.
    subscript(name: String) -> String? {
        members.first { $0.name == name }?.value
    }

    /// Every value of `name`, in order.
    func all(_ name: String) -> [String] {
        members.filter { $0.name == name }.map(\.value)
    }
}

extension RelayProblem {
    /// The first reason given for each refused field, to show next to it.
    var reasonsByField: [String: String] {
        Dictionary(errors.map { ($0.field, $0.reason) }, uniquingKeysWith: { first, _ in first })
    }
}
