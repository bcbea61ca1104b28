import RelayCore

extension MessageStatus {
    /// The status as an SQL string literal (`'pending'`) for the queries that name it: a literal,
    /// not a bound value, so that SQLite uses the partial indexes declared on `status = 'pending'`.
    var sql: String { "'\(rawValue)'" }
}
