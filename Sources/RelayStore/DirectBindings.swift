import GRDB
import GRDBSQLite

/// Binds a statement's values straight into SQLite, in order, for the writer's busiest
/// statements: the attempt rows, their links and the messages they move. GRDB's
/// `StatementArguments` boxes every value in an existential and copies it again to bind it,
/// which took about a seventh of the writer's time in a busy drain (docs/PERFORMANCE.md,
/// session 13).
///
/// ```swift
/// var values = DirectBindings(statement)   // reset, bindings cleared
/// values.bind(rowID)
/// values.bind(error)                      // an optional binds NULL when nil
/// try values.execute()                     // throws unless every parameter got a value
/// ```
struct DirectBindings {
    private let statement: Statement
    private var next: Int32 = 1
    private var failure: Int32 = SQLITE_OK

    init(_ statement: Statement) {
        // GRDB resets the statement and clears its bindings, and takes the values bound here
        // as the statement's arguments.
        statement.setUncheckedArguments([])
        self.statement = statement
    }

    /// Binds `value` to the next parameter.
    mutating func bind(_ value: some DirectlyBindable) {
        let code = value.bind(to: statement.sqliteStatement, at: next)
        if code != SQLITE_OK, failure == SQLITE_OK { failure = code }
        next += 1
    }

    /// Runs the statement with the values bound.
    func execute() throws {
        let expected = sqlite3_bind_parameter_count(statement.sqliteStatement)
        guard failure == SQLITE_OK, next - 1 == expected else {
            throw DatabaseError(
                resultCode: failure == SQLITE_OK ? .SQLITE_MISUSE : ResultCode(rawValue: failure),
                message: "bound \(next - 1) values to a statement of \(expected) parameters", sql: statement.sql)
        }
        try statement.execute()
    }
}

/// A value ``DirectBindings`` binds without boxing it.
protocol DirectlyBindable {
    /// Binds the value to parameter `index` of `statement`; returns SQLite's result code.
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32
}

extension Int64: DirectlyBindable {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        sqlite3_bind_int64(statement, index, self)
    }
}

extension Int: DirectlyBindable {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        Int64(self).bind(to: statement, at: index)
    }
}

extension String: DirectlyBindable {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        var text = self
        return text.withUTF8 { bytes in
            sqlite3_bind_text(statement, index, bytes.baseAddress, Int32(bytes.count), sqliteTransient)
        }
    }
}

extension [UInt8]: DirectlyBindable {
    /// As a BLOB (an empty one as a zero-length BLOB, which reads back as an empty `Data`).
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        withUnsafeBytes { bytes in
            sqlite3_bind_blob(statement, index, bytes.baseAddress, Int32(bytes.count), sqliteTransient)
        }
    }
}

extension Optional: DirectlyBindable where Wrapped: DirectlyBindable {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        guard let value = self else { return sqlite3_bind_null(statement, index) }
        return value.bind(to: statement, at: index)
    }
}

/// SQLite copies the bytes before the bind returns (`SQLITE_TRANSIENT`).
private let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
