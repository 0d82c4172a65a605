import Analyzer
import Foundation
import GRDB
import KeiroModel

extension TraceSummary {
    /// The columns `init(stored:)` reads, from `traces t` joined by `storedJoin`.
    static let storedColumns = """
        t.trace_id, t.start_ns, t.end_ns, t.span_count, t.error_count, t.root_span_id, t.root_has_parent,
        s.name AS root_service, t.root_name, t.root_route, t.flags
        """

    /// The join that names the root's service.
    static let storedJoin = "JOIN services s ON s.id = t.root_service_id"

    /// A summary from a `traces` row selected with `storedColumns`.
    init(stored row: Row) {
        let start: Int64 = row["start_ns"]
        let end: Int64 = row["end_ns"]
        self.init(
            traceID: TraceID(bytes: row["trace_id"] as Data)!, startTimeUnixNano: UInt64(start),
            durationNanos: UInt64(max(0, end - start)), spanCount: row["span_count"], errorCount: row["error_count"],
            rootSpanID: SpanID(UInt64(bitPattern: row["root_span_id"])), hasRoot: (row["root_has_parent"] as Int64) == 0,
            rootService: row["root_service"], rootName: row["root_name"], rootRoute: row["root_route"],
            flags: TraceFlags(rawValue: row["flags"]))
    }
}
