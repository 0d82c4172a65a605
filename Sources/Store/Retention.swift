import GRDB

/// Retention's steps on the two files: which segments have expired, and dropping one with
/// everything that belongs to it (see schemas/sqlite/0008_segment_retention.sql).
///
/// Segments go oldest first and never the newest (the one being written), so what is left
/// is always the newest run of segments, and a dropped segment's chunks are every chunk
/// below the first chunk of the segment after it. A trace lives in its home segment (its
/// first part's), with all of its chunks from that segment on, so a trace is dropped whole
/// or kept whole; a span arriving for a dropped trace starts it again in the newest segment.
enum Retention {
    /// An expired segment, and the first chunk of the segment after it (nil when that
    /// segment is older than 0008 and does not know it).
    struct ExpiredSegment: Equatable {
        var id: Int64
        var spanCount: Int
        var nextFirstChunk: Int64?
    }

    /// How often the store looks for expired segments: a tenth of the retention, between
    /// 50 ms and a minute.
    static func checkInterval(for retention: Duration) -> Duration {
        min(.seconds(60), max(.milliseconds(50), retention / 10))
    }

    /// The oldest segments, oldest first, last written before `cutoff` (unix ns); stops at
    /// the first one that is not, and never includes the newest.
    static func expiredSegments(before cutoff: Int64, _ db: Database) throws -> [ExpiredSegment] {
        let rows = try Row.fetchAll(db, sql: "SELECT id, span_count, first_chunk, last_write_ns FROM segments ORDER BY id")
        var expired: [ExpiredSegment] = []
        for (row, next) in zip(rows, rows.dropFirst()) {
            guard (row["last_write_ns"] as Int64) < cutoff else { break }
            expired.append(ExpiredSegment(id: row["id"], spanCount: row["span_count"], nextFirstChunk: next["first_chunk"]))
        }
        return expired
    }

    /// Deletes the search index of every segment up to `segment`: trace homes, summaries,
    /// search entries, bounds. Returns the traces dropped, or nil (and deletes nothing) when
    /// the index does not cover the segment's chunks yet: the indexer would file them under
    /// the dropped segment afterwards. (A segment whose next one predates 0008 was indexed
    /// when the store opened: the segments after it were made since.)
    static func dropIndex(_ segment: ExpiredSegment, _ db: Database) throws -> Int? {
        if let next = segment.nextFirstChunk, try IndexFile.indexedThrough(db) < next - 1 { return nil }
        return try dropIndex(throughSegment: segment.id, db)
    }

    private static func dropIndex(throughSegment segment: Int64, _ db: Database) throws -> Int {
        try db.execute(
            sql: "DELETE FROM trace_homes WHERE trace_id IN (SELECT trace_id FROM traces WHERE segment <= ?)", arguments: [segment])
        try db.execute(sql: "DELETE FROM traces WHERE segment <= ?", arguments: [segment])
        let traces = db.changesCount
        try db.execute(sql: "DELETE FROM trace_search WHERE segment <= ?", arguments: [segment])
        try db.execute(sql: "DELETE FROM segment_bounds WHERE id <= ?", arguments: [segment])
        return traces
    }

    /// Deletes the chunks below `nextFirstChunk` (all of them when it is known), then the
    /// digests and rows of every segment up to `segment`. Returns the chunks deleted.
    ///
    /// The newest chunk is never deleted: SQLite numbers a new row after the largest id
    /// there is, so keeping it keeps chunk ids from going back below a segment's first chunk.
    static func dropChunks(throughSegment segment: Int64, below nextFirstChunk: Int64?, _ db: Database) throws -> Int {
        var chunks = 0
        if let nextFirstChunk {
            try db.execute(
                sql: "DELETE FROM chunks WHERE id < ? AND id < (SELECT max(id) FROM chunks)", arguments: [nextFirstChunk])
            chunks = db.changesCount
        }
        try db.execute(sql: "DELETE FROM part_digests WHERE segment <= ?", arguments: [segment])
        try db.execute(sql: "DELETE FROM segments WHERE id <= ?", arguments: [segment])
        return chunks
    }
}
