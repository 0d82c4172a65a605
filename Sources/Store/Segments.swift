import GRDB

/// Segments partition everything keyed by trace id into runs of consecutively stored spans
/// (see schemas/sqlite/0001_spans.sql and 0004_trace_homes.sql): a trace lives in the
/// segment where it was first stored (its home); new traces go to the newest segment
/// until it holds `StoreConfiguration.segmentSpans` spans, then a new one starts.
enum Segments {
    /// The segment to write into at `now` (unix ns), starting a new one when the newest is
    /// full or, given `maxAge`, was made that long ago. A new segment's first chunk is the
    /// id the next chunk gets (see 0008_segment_retention.sql).
    static func current(_ db: Database, maxSpans: Int, maxAge: Int64?, now: Int64) throws -> Int64 {
        if let row = try Row.fetchOne(db, sql: "SELECT id, span_count, created_ns FROM segments ORDER BY id DESC LIMIT 1"),
            (row["span_count"] as Int) < maxSpans, maxAge.map({ now - (row["created_ns"] as Int64) < $0 }) ?? true
        {
            return row["id"]
        }
        try db.execute(
            sql: "INSERT INTO segments (span_count, first_chunk, created_ns) VALUES (0, (SELECT coalesce(max(id), 0) + 1 FROM chunks), ?)",
            arguments: [now])
        return db.lastInsertedRowID
    }

    /// Counts `spans` more in `segment`, written at `now` (unix ns).
    static func add(_ spans: Int, to segment: Int64, at now: Int64, _ db: Database) throws {
        try db.execute(
            sql: "UPDATE segments SET span_count = span_count + ?, last_write_ns = ? WHERE id = ?", arguments: [spans, now, segment])
    }

    /// The newest segment, if any (read-only).
    static func newest(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT max(id) FROM segments")
    }
}

/// What one index run adds to a segment's trace statistics (`segment_bounds` in the index
/// file), from the traces' rows after the run's upserts.
struct SegmentBounds {
    var newTraces = 0
    var minStart = Int64.max
    var maxStart = Int64.min
    var maxDuration = Int64.min

    mutating func add(start: Int64, duration: Int64, isNew: Bool) {
        if isNew { newTraces += 1 }
        minStart = min(minStart, start)
        maxStart = max(maxStart, start)
        maxDuration = max(maxDuration, duration)
    }

    /// Widens the segment's trace start and duration bounds and adds its new traces.
    func add(to segment: Int64, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO segment_bounds (id, trace_count, min_start_ns, max_start_ns, max_duration_ns)
                VALUES (:segment, :new, :min, :max, :duration)
                ON CONFLICT (id) DO UPDATE SET trace_count = trace_count + :new,
                    min_start_ns = min(coalesce(min_start_ns, :min), :min),
                    max_start_ns = max(coalesce(max_start_ns, :max), :max),
                    max_duration_ns = max(coalesce(max_duration_ns, :duration), :duration)
                """,
            arguments: [
                "new": newTraces, "min": minStart, "max": maxStart, "duration": maxDuration, "segment": segment,
            ])
    }
}

/// A segment's place in time, for planning a search (`TraceSearch`).
struct SegmentInfo: FetchableRecord {
    var id: Int64
    var traceCount: Int
    /// Starts of the segment's traces: the earliest exactly, the latest as an upper bound.
    var minStart: Int64
    var maxStart: Int64
    /// The longest of its traces.
    var maxDuration: Int64

    init(row: Row) {
        id = row["id"]
        traceCount = row["trace_count"]
        minStart = row["min_start_ns"] ?? Int64.max
        maxStart = row["max_start_ns"] ?? Int64.min
        maxDuration = row["max_duration_ns"] ?? Int64.min
    }

    /// Every segment that holds a trace.
    static func all(_ db: Database) throws -> [SegmentInfo] {
        try SegmentInfo.fetchAll(
            db, sql: "SELECT id, trace_count, min_start_ns, max_start_ns, max_duration_ns FROM segment_bounds WHERE trace_count > 0")
    }
}
