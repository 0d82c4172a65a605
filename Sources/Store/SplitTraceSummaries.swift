import Foundation
import GRDB

/// The Swift step of migration 0004: a version-2 file may hold several summary rows of a
/// trace (one per segment its parts were written in). Each such trace's rows are merged
/// into the row in its home segment, with the rules of `TraceAggregate.upsertSQL`; then
/// every segment's trace count, start bounds and longest duration are filled in.
enum SplitTraceSummaries {
    static func merge(_ db: Database) throws {
        let split = try Data.fetchAll(db, sql: "SELECT trace_id FROM traces GROUP BY trace_id HAVING count(*) > 1")
        for traceID in split {
            // The home row first, so the merged values land in it; the others fold into it in
            // segment order, as the upserts of version 3 would have folded them.
            let rows = try Row.fetchAll(
                db, sql: "SELECT segment, \(columns.joined(separator: ", ")) FROM traces WHERE trace_id = ? ORDER BY segment",
                arguments: [traceID])
            let home: Int64 = rows[0]["segment"]
            for row in rows.dropFirst() {
                var arguments: [String: (any DatabaseValueConvertible)?] = ["home": home, "trace_id": traceID]
                for column in columns { arguments[column] = row[column] as DatabaseValue }
                try db.execute(
                    sql: """
                        UPDATE traces SET \(TraceAggregate.mergeAssignments { ":\($0)" })
                        WHERE segment = :home AND trace_id = :trace_id
                        """,
                    arguments: StatementArguments(arguments))
            }
            try db.execute(sql: "DELETE FROM traces WHERE trace_id = ? AND segment <> ?", arguments: [traceID, home])
        }
        try db.execute(
            sql: """
                UPDATE segments SET (trace_count, min_start_ns, max_start_ns, max_duration_ns) =
                    (SELECT count(*), min(start_ns), max(start_ns), max(duration_ns) FROM traces WHERE segment = segments.id)
                """)
    }

    /// The summary columns a merge folds in.
    private static let columns = [
        "start_ns", "end_ns", "span_count", "error_count", "root_span_id", "root_has_parent", "root_start_ns",
        "root_service_id", "root_name", "root_route", "chunks", "flags",
    ]
}
