import GRDB

/// Segments partition everything keyed by trace id into runs of consecutively stored spans
/// (see schemas/sqlite/0001_spans.sql): writes go to the newest segment until it holds
/// `StoreConfiguration.segmentSpans` spans, then a new one starts.
enum Segments {
    /// The segment to write into now, starting a new one when the newest is full.
    static func current(_ db: Database, maxSpans: Int) throws -> Int64 {
        if let row = try Row.fetchOne(db, sql: "SELECT id, span_count FROM segments ORDER BY id DESC LIMIT 1"),
            (row["span_count"] as Int) < maxSpans
        {
            return row["id"]
        }
        try db.execute(sql: "INSERT INTO segments (span_count) VALUES (0)")
        return db.lastInsertedRowID
    }

    static func add(_ spans: Int, to segment: Int64, _ db: Database) throws {
        try db.execute(sql: "UPDATE segments SET span_count = span_count + ? WHERE id = ?", arguments: [spans, segment])
    }

    /// SQL selecting every segment id, for `segment IN (…)` lookups by trace id.
    static let all = "SELECT id FROM segments"
}
