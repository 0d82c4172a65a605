import Foundation
import GRDB
import KeiroModel

/// Runs a `TraceQuery` against the store inside one read transaction.
///
/// Segments are visited newest first (oldest first for `.oldest`); within a segment the
/// candidates are the traces that every search term matches there (the terms' trace sets
/// intersected, smallest first), then filtered by their merged summary and, if asked, by
/// their spans. For `.newest`/`.oldest` the walk stops once `limit` traces are found, so a
/// selective query over a large store reads only the segments it needs; newest first, it
/// also stops inside a segment once no remaining search entry can beat the `limit`-th
/// newest trace found, so a common term reads ~`limit` summaries, not the whole segment's. A trace's order
/// is its start time; traces are grouped by the segment they were stored in, which
/// matches start order except for spans that arrive after newer traces were stored.
struct TraceSearch {
    let db: Database
    let query: TraceQuery
    /// The spans of a trace, for span-level filters.
    let spans: (TraceID) throws -> [StoredSpan]
    /// The merged summary of a trace.
    let summary: (Data) throws -> TraceSummary?

    func run() throws -> [TraceSummary] {
        guard query.limit > 0 else { return [] }
        var found: [TraceSummary] = []
        var seen = Set<Data>()
        let byTime = query.order == .newest || query.order == .oldest
        let segments = try Int64.fetchAll(
            db, sql: "SELECT id FROM segments ORDER BY id \(query.order == .oldest ? "ASC" : "DESC")")
        let terms = try resolvedTerms()
        guard let terms else { return [] }  // a term names a key nothing was indexed under
        var newest = NewestStarts(limit: query.limit)
        for segment in segments {
            var inSegment: [TraceSummary] = []
            for (traceID, entryStart) in try candidates(in: segment, terms: terms) {
                // Newest first, an entry's start bounds its trace's start from above and entries
                // come in descending start: once it is below the `limit`-th newest start found,
                // no later candidate of this segment can make the cut.
                if query.order == .newest, let entryStart, let cut = newest.cut, entryStart < cut { break }
                guard seen.insert(traceID).inserted else { continue }
                guard let summary = try summary(traceID), query.admits(summary) else { continue }
                if query.minSpanDuration != nil, !query.admits(try spans(summary.traceID)) { continue }
                inSegment.append(summary)
                newest.add(summary.startTimeUnixNano)
            }
            found += inSegment.sorted(by: order)
            if byTime && found.count >= query.limit { break }
        }
        return Array(found.sorted(by: order).prefix(query.limit))
    }

    private func order(_ a: TraceSummary, _ b: TraceSummary) -> Bool {
        switch query.order {
        case .newest: (a.startTimeUnixNano, a.traceID) > (b.startTimeUnixNano, b.traceID)
        case .oldest: (a.startTimeUnixNano, a.traceID) < (b.startTimeUnixNano, b.traceID)
        case .longest: (a.durationNanos, a.traceID) > (b.durationNanos, b.traceID)
        case .shortest: (a.durationNanos, a.traceID) < (b.durationNanos, b.traceID)
        }
    }

    private struct ResolvedTerm {
        var keyID: Int64
        var term: SearchTerm
    }

    /// The terms with their key ids; `nil` when a key was never indexed (nothing matches).
    private func resolvedTerms() throws -> [ResolvedTerm]? {
        var resolved: [ResolvedTerm] = []
        for term in query.searchTerms {
            guard let keyID = try Int64.fetchOne(db, sql: "SELECT id FROM index_keys WHERE name = ?", arguments: [term.key])
            else { return nil }
            resolved.append(ResolvedTerm(keyID: keyID, term: term))
        }
        return resolved
    }

    /// Trace ids of one segment that may match, in the query's order as far as the index
    /// gives it, each with the start of its search entry (never before the trace's start;
    /// `nil` for candidates from the summary table).
    private func candidates(in segment: Int64, terms: [ResolvedTerm]) throws -> [(Data, Int64?)] {
        guard !terms.isEmpty else { return try summaryCandidates(in: segment).map { ($0, nil) } }
        var sets: [[(Data, Int64?)]] = []
        for term in terms {
            sets.append(try traceIDs(in: segment, matching: term))
            if sets.last!.isEmpty { return [] }
        }
        sets.sort { $0.count < $1.count }
        var remaining = Set(sets[0].map(\.0))
        for other in sets.dropFirst() {
            remaining.formIntersection(other.map(\.0))
            if remaining.isEmpty { return [] }
        }
        return sets[0].filter { remaining.contains($0.0) }
    }

    private func traceIDs(in segment: Int64, matching term: ResolvedTerm) throws -> [(Data, Int64?)] {
        let direction = query.order == .oldest ? "ASC" : "DESC"
        var arguments: StatementArguments = [segment, term.keyID]
        var condition: String
        if term.term.isPrefix {
            // Every value that starts with the prefix sorts between it and the prefix followed by U+10FFFF.
            condition = "value >= ? AND value < ?"
            arguments += [term.term.value, term.term.value + "\u{10FFFF}"]
        } else {
            condition = "value = ?"
            arguments += [term.term.value]
        }
        // An entry carries the earliest start of the trace's spans in one batch, never before
        // the trace's start, so this keeps every trace that started in range; the summary
        // check decides the rest.
        if let after = query.startAfter {
            condition += " AND start_ns >= ?"
            arguments += [Int64(clamping: after)]
        }
        return try Row.fetchAll(
            db,
            sql: """
                SELECT trace_id, start_ns FROM trace_search WHERE segment = ? AND key_id = ? AND \(condition)
                ORDER BY start_ns \(direction)
                """,
            arguments: arguments
        ).map { ($0[0], $0[1]) }
    }

    /// Without search terms: the segment's traces from the summary table, through the
    /// duration index when the query bounds or orders by duration.
    private func summaryCandidates(in segment: Int64) throws -> [Data] {
        var conditions = ["segment = ?"]
        var arguments: StatementArguments = [segment]
        let bounds: [(String, UInt64?)] = [
            ("duration_ns >= ?", query.minDuration), ("duration_ns <= ?", query.maxDuration),
            ("start_ns >= ?", query.startAfter), ("start_ns < ?", query.startBefore),
        ]
        for case let (condition, value?) in bounds {
            conditions.append(condition)
            arguments += [Int64(clamping: value)]
        }
        if query.errorsOnly { conditions.append("error_count > 0") }
        let orderBy: String
        switch query.order {
        case .newest: orderBy = "start_ns DESC"
        case .oldest: orderBy = "start_ns ASC"
        case .longest: orderBy = "duration_ns DESC"
        case .shortest: orderBy = "duration_ns ASC"
        }
        // Per segment at most `limit` traces can make the final cut, unless later filters drop some.
        let limit = query.minSpanDuration == nil ? "LIMIT \(query.limit)" : ""
        return try Data.fetchAll(
            db,
            sql: "SELECT trace_id FROM traces WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(orderBy) \(limit)",
            arguments: arguments)
    }
}

/// The start times of the newest `limit` traces admitted so far; `cut` is the oldest of
/// them once there are `limit`.
private struct NewestStarts {
    let limit: Int
    /// Descending, at most `limit`.
    private var starts: [Int64] = []

    init(limit: Int) {
        self.limit = limit
    }

    var cut: Int64? { starts.count == limit ? starts.last : nil }

    mutating func add(_ start: UInt64) {
        let value = Int64(clamping: start)
        if let cut, value <= cut { return }
        let index = starts.firstIndex { $0 < value } ?? starts.endIndex
        starts.insert(value, at: index)
        if starts.count > limit { starts.removeLast() }
    }
}
