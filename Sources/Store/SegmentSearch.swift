import Foundation
import GRDB
import KeiroModel

/// A search term with the id of its index key.
struct ResolvedTerm {
    var keyID: Int64
    var term: SearchTerm
}

/// Answers a `TraceQuery` within one segment with one SQL statement, choosing where its
/// candidates come from the way a query planner would:
///
/// - **drive** from the smallest candidate set — a term's search entries, or the traces
///   of at least the minimum duration (`traces_by_duration`) — and check every other
///   condition per candidate (summary columns, `EXISTS` on the other terms' entries); or
/// - **walk** the segment's traces in the query's order (`traces_by_start` or
///   `traces_by_duration`) checking every condition, and stop after `limit` matches.
///
/// Walking costs about `limit / selectivity` rows, driving the size of the set; sets are
/// counted only up to the size where walking would be cheaper (`√(limit × traces)`),
/// and each next count only up to the smallest so far.
struct SegmentSearch {
    let db: Database
    let query: TraceQuery
    let terms: [ResolvedTerm]

    private enum Driver: Equatable {
        case term(Int)
        case minDuration
        case walk
    }

    /// Every trace of `segment` that the query admits and that can beat `cut`, at most
    /// `limit` of them when walking (the walk reads them in the query's order). Span-level
    /// filters are left to the caller.
    func matches(in segment: SegmentInfo, cut: TraceSummary?) throws -> [TraceSummary] {
        let driver = try driver(in: segment)
        // A prefix term can match a trace through several values.
        let distinct = if case .term(let index) = driver { terms[index].term.isPrefix } else { false }
        var sql = "SELECT \(distinct ? "DISTINCT " : "")\(TraceSummary.storedColumns) FROM "
        var conditions: [String] = []
        var arguments: StatementArguments = []
        switch driver {
        case .term(let index):
            sql += "trace_search d CROSS JOIN traces t ON t.segment = d.segment AND t.trace_id = d.trace_id "
            conditions.append("d.segment = ?")
            arguments += [segment.id]
            append(terms[index], alias: "d", to: &conditions, &arguments)
        case .minDuration:
            sql += "traces t INDEXED BY traces_by_duration "
            conditions.append("t.segment = ?")
            arguments += [segment.id]
        case .walk:
            sql += "traces t INDEXED BY \(walkIndex) "
            conditions.append("t.segment = ?")
            arguments += [segment.id]
        }
        sql += TraceSummary.storedJoin
        appendSummaryConditions(cut: cut, to: &conditions, &arguments)
        for (index, term) in terms.enumerated() where driver != .term(index) {
            var inner: [String] = ["x.segment = t.segment", "x.trace_id = t.trace_id"]
            append(term, alias: "x", to: &inner, &arguments)
            conditions.append("EXISTS (SELECT 1 FROM trace_search x WHERE \(inner.joined(separator: " AND ")))")
        }
        sql += " WHERE " + conditions.joined(separator: " AND ")
        if driver == .walk {
            sql += " ORDER BY \(walkOrder)"
            // Span-level filters may drop rows after SQL; then the caller reads them all.
            if query.minSpanDuration == nil { sql += " LIMIT \(query.limit)" }
        }
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map(TraceSummary.init(stored:))
    }

    // MARK: Planning

    private func driver(in segment: SegmentInfo) throws -> Driver {
        let walkBreakEven = Int((Double(query.limit) * Double(max(segment.traceCount, 1))).squareRoot()) + 1
        var best: (driver: Driver, count: Int) = (.walk, walkBreakEven)
        if let minDuration = query.minDuration {
            let count = try boundedCount(
                "SELECT 1 FROM traces INDEXED BY traces_by_duration WHERE segment = ? AND duration_ns >= ?",
                [segment.id, Int64(clamping: minDuration)], limit: best.count)
            if count < best.count { best = (.minDuration, count) }
        }
        for (index, term) in terms.enumerated() {
            var conditions = ["segment = ?"]
            var arguments: StatementArguments = [segment.id]
            append(term, alias: nil, to: &conditions, &arguments)
            let count = try boundedCount(
                "SELECT 1 FROM trace_search WHERE \(conditions.joined(separator: " AND "))", arguments, limit: best.count)
            if count < best.count { best = (.term(index), count) }
        }
        return best.driver
    }

    /// The number of rows `sql` returns, counting no further than `limit`.
    private func boundedCount(_ sql: String, _ arguments: StatementArguments, limit: Int) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(sql: "SELECT count(*) FROM (\(sql) LIMIT ?)"), arguments: arguments + [limit]) ?? 0
    }

    // MARK: SQL pieces

    private var walkIndex: String {
        switch query.order {
        case .newest, .oldest: "traces_by_start"
        case .longest, .shortest: "traces_by_duration"
        }
    }

    private var walkOrder: String {
        switch query.order {
        case .newest: "t.start_ns DESC, t.trace_id DESC"
        case .oldest: "t.start_ns ASC, t.trace_id ASC"
        case .longest: "t.duration_ns DESC, t.trace_id DESC"
        case .shortest: "t.duration_ns ASC, t.trace_id ASC"
        }
    }

    /// A term on a `trace_search` row (`alias.` prefixed when given).
    private func append(
        _ term: ResolvedTerm, alias: String?, to conditions: inout [String], _ arguments: inout StatementArguments
    ) {
        let column = alias.map { "\($0)." } ?? ""
        conditions.append("\(column)key_id = ?")
        arguments += [term.keyID]
        if term.term.isPrefix {
            // Every value that starts with the prefix sorts between it and the prefix followed by U+10FFFF.
            conditions.append("\(column)value >= ? AND \(column)value < ?")
            arguments += [term.term.value, term.term.value + "\u{10FFFF}"]
        } else {
            conditions.append("\(column)value = ?")
            arguments += [term.term.value]
        }
    }

    /// The filters the summary row answers, and the bound that beats `cut`.
    private func appendSummaryConditions(cut: TraceSummary?, to conditions: inout [String], _ arguments: inout StatementArguments) {
        let bounds: [(String, UInt64?)] = [
            ("t.duration_ns >= ?", query.minDuration), ("t.duration_ns <= ?", query.maxDuration),
            ("t.start_ns >= ?", query.startAfter), ("t.start_ns < ?", query.startBefore),
        ]
        for case let (condition, value?) in bounds {
            conditions.append(condition)
            arguments += [Int64(clamping: value)]
        }
        if query.errorsOnly { conditions.append("t.error_count > 0") }
        if let cut {
            // Ties pass; `BestTraces` breaks them by trace id.
            switch query.order {
            case .newest: conditions.append("t.start_ns >= ?")
            case .oldest: conditions.append("t.start_ns <= ?")
            case .longest: conditions.append("t.duration_ns >= ?")
            case .shortest: conditions.append("t.duration_ns <= ?")
            }
            let value = query.order == .newest || query.order == .oldest ? cut.startTimeUnixNano : cut.durationNanos
            arguments += [Int64(clamping: value)]
        }
    }
}
