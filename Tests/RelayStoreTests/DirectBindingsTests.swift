import Foundation
import GRDB
import Testing

@testable import RelayStore

/// The writer's busiest statements bind their values straight into SQLite: what is read back
/// must be what GRDB itself would have stored, and a statement given too few or too many values
/// must write nothing.
@Suite struct DirectBindingsTests {
    private static func database() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (i INTEGER, s TEXT, b BLOB, n INTEGER)")
        }
        return queue
    }

    @Test func valuesReadBackAsBoundAndNilIsNull() throws {
        let queue = try Self.database()
        let text = "naïve “quoted” 🚀 \\ \""
        try queue.write { db in
            var values = DirectBindings(try db.cachedStatement(sql: "INSERT INTO t VALUES (?, ?, ?, ?)"))
            values.bind(Int64.max)
            values.bind(text)
            values.bind([UInt8]([0, 1, 255]))
            values.bind(Int?.none)
            try values.execute()
            // The same statement again, from its cache: the earlier values are gone.
            var again = DirectBindings(try db.cachedStatement(sql: "INSERT INTO t VALUES (?, ?, ?, ?)"))
            again.bind(-7)
            again.bind(String?.none)
            again.bind([UInt8]())
            again.bind(Int?.some(3))
            try again.execute()
        }
        let rows = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT i, s, b, n, typeof(s) FROM t ORDER BY rowid")
        }
        #expect(rows.count == 2)
        #expect(rows[0]["i"] as Int64 == Int64.max)
        #expect(rows[0]["s"] as String == text)
        #expect(rows[0]["b"] as Data == Data([0, 1, 255]))
        #expect(rows[0]["n"] as Int? == nil)
        #expect(rows[1]["i"] as Int == -7)
        #expect(rows[1][4] as String == "null")
        #expect(rows[1]["b"] as Data == Data(), "an empty blob, not NULL")
        #expect(rows[1]["n"] as Int == 3)
    }

    @Test func theWrongNumberOfValuesThrowsAndWritesNothing() throws {
        let queue = try Self.database()
        for count in [3, 5] {
            #expect(throws: DatabaseError.self) {
                try queue.write { db in
                    var values = DirectBindings(try db.cachedStatement(sql: "INSERT INTO t VALUES (?, ?, ?, ?)"))
                    for value in 0..<count { values.bind(value) }
                    try values.execute()
                }
            }
        }
        #expect(try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM t") } == 0)
    }
}
