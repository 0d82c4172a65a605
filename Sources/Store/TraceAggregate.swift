import KeiroModel

/// What one batch adds to a trace's summary: folded in memory per batch, then merged
/// into the `traces` row by one upsert whose rules match `merge(_:)`.
struct TraceAggregate {
    /// The best root candidate: a parentless span beats one with a parent, then the
    /// earlier start wins.
    struct Root {
        var spanID: SpanID
        var hasParent: Bool
        var startNanos: UInt64
        var serviceID: Int64
        var name: String
        var route: String?

        func isBetter(than other: Root) -> Bool {
            Self.rank(hasParent: hasParent, start: startNanos) < Self.rank(hasParent: other.hasParent, start: other.startNanos)
        }

        /// A candidate's place (lower is better): parentless first, then the earlier start.
        static func rank(hasParent: Bool, start: UInt64) -> (Int, UInt64) { (hasParent ? 1 : 0, start) }

        static func rank(_ span: Span) -> (Int, UInt64) {
            rank(hasParent: span.parentSpanID != nil, start: span.startTimeUnixNano)
        }
    }

    var startNanos: UInt64
    var endNanos: UInt64
    var spanCount: Int
    var errorCount: Int
    var root: Root

    /// The aggregate of a non-empty group of spans reported by one service. The root's
    /// route is read once, from the span chosen as root.
    init(spans: some Collection<Span>, serviceID: Int64) {
        var root = spans.first!
        startNanos = root.startTimeUnixNano
        endNanos = max(root.endTimeUnixNano, root.startTimeUnixNano)
        spanCount = spans.count
        errorCount = 0
        for span in spans {
            startNanos = min(startNanos, span.startTimeUnixNano)
            endNanos = max(endNanos, span.endTimeUnixNano, span.startTimeUnixNano)
            if span.status.code == .error { errorCount += 1 }
            if Root.rank(span) < Root.rank(root) { root = span }
        }
        self.root = Root(
            spanID: root.spanID, hasParent: root.parentSpanID != nil, startNanos: root.startTimeUnixNano,
            serviceID: serviceID, name: root.name,
            route: (root.attributes[SemanticAttributes.httpRoute] ?? root.attributes[SemanticAttributes.urlPath]
                ?? root.attributes["http.path"])?.displayString)
    }

    mutating func merge(_ other: TraceAggregate) {
        startNanos = min(startNanos, other.startNanos)
        endNanos = max(endNanos, other.endNanos)
        spanCount += other.spanCount
        errorCount += other.errorCount
        if other.root.isBetter(than: root) { root = other.root }
    }

    /// The upsert applying the same rules in SQL; SET expressions all read the old row.
    /// Returns the row's resulting start and end.
    static let upsertSQL = """
        INSERT INTO traces (trace_id, start_ns, end_ns, span_count, error_count, root_span_id, root_has_parent,
                            root_start_ns, root_service_id, root_name, root_route, segment, chunks, flags)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
        ON CONFLICT (segment, trace_id) DO UPDATE SET \(mergeAssignments { "excluded.\($0)" })
        RETURNING start_ns, end_ns
        """

    /// The `SET` list folding an incoming summary into a `traces` row by the rules of
    /// `merge(_:)`; `incoming` names the SQL value of each incoming column.
    static func mergeAssignments(incoming: (String) -> String) -> String {
        let better = "(\(incoming("root_has_parent")), \(incoming("root_start_ns"))) < (root_has_parent, root_start_ns)"
        let root = ["root_span_id", "root_has_parent", "root_start_ns", "root_service_id", "root_name", "root_route"]
            .map { "\($0) = CASE WHEN \(better) THEN \(incoming($0)) ELSE \($0) END" }
        return ([
            "start_ns = min(start_ns, \(incoming("start_ns")))",
            "end_ns = max(end_ns, \(incoming("end_ns")))",
            "span_count = span_count + \(incoming("span_count"))",
            "error_count = error_count + \(incoming("error_count"))",
        ] + root + [
            "chunks = CAST(chunks || \(incoming("chunks")) AS BLOB)",
            "flags = flags | \(incoming("flags"))",
        ]).joined(separator: ", ")
    }
}
