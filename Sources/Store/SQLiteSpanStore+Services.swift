import GRDB

extension SQLiteSpanStore {
    /// Every service name that has reported a span, sorted (read through the reader pool).
    public func serviceNames() async throws -> [String] {
        try await pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM services ORDER BY name") }
    }
}
