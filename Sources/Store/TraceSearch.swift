import Foundation
import GRDB
import KeiroModel

/// Runs a `TraceQuery` against the store inside one read transaction.
///
/// A trace's summary row and all its search entries live in its home segment, so each
/// segment answers the query on its own, exactly (`SegmentSearch`). Segments are visited
/// in the query's order of their trace start (or duration) bounds, skipping those outside
/// the query's time range or below its minimum duration; the walk stops once no
/// remaining segment can hold a trace that beats the `limit`-th found, so a selective query over a large store reads
/// only the segments it needs, and each segment's statement is bounded by that cut too.
struct TraceSearch {
    let db: Database
    let query: TraceQuery
    /// The spans of a trace, for span-level filters.
    let spans: (TraceID) throws -> [StoredSpan]

    func run() throws -> [TraceSummary] {
        guard query.limit > 0, let terms = try resolvedTerms() else { return [] }
        let search = SegmentSearch(db: db, query: query, terms: terms)
        var best = BestTraces(order: query.order, limit: query.limit)
        for segment in try segments() {
            if let cut = best.cut, !segment.mayHold(beating: cut, order: query.order) { break }
            for summary in try search.matches(in: segment, cut: best.cut) {
                if query.minSpanDuration != nil, !query.admits(try spans(summary.traceID)) { continue }
                best.add(summary)
            }
        }
        return best.traces
    }

    /// The segments that may hold a trace in the query's time and duration range, in the
    /// order to visit.
    private func segments() throws -> [SegmentInfo] {
        let inRange = try SegmentInfo.all(db).filter { segment in
            if let after = query.startAfter, segment.maxStart < Int64(clamping: after) { return false }
            if let before = query.startBefore, segment.minStart >= Int64(clamping: before) { return false }
            if let minDuration = query.minDuration, segment.maxDuration < Int64(clamping: minDuration) { return false }
            return true
        }
        switch query.order {
        case .newest: return inRange.sorted { $0.maxStart > $1.maxStart }
        case .oldest: return inRange.sorted { $0.minStart < $1.minStart }
        case .longest: return inRange.sorted { $0.maxDuration > $1.maxDuration }
        case .shortest: return inRange
        }
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
}

extension SegmentInfo {
    /// Whether a trace of this segment can come before `cut` in `order`.
    func mayHold(beating cut: TraceSummary, order: TraceQuery.Order) -> Bool {
        switch order {
        case .newest: maxStart >= Int64(clamping: cut.startTimeUnixNano)
        case .oldest: minStart <= Int64(clamping: cut.startTimeUnixNano)
        case .longest: maxDuration >= Int64(clamping: cut.durationNanos)
        case .shortest: true
        }
    }
}

/// The best `limit` traces found so far, in the query's order (ties by trace id).
struct BestTraces {
    let order: TraceQuery.Order
    let limit: Int
    private(set) var traces: [TraceSummary] = []

    init(order: TraceQuery.Order, limit: Int) {
        self.order = order
        self.limit = limit
    }

    /// The last trace that makes the cut, once there are `limit`.
    var cut: TraceSummary? { traces.count == limit ? traces.last : nil }

    mutating func add(_ summary: TraceSummary) {
        if let cut, !precedes(summary, cut) { return }
        var low = 0
        var high = traces.count
        while low < high {
            let middle = (low + high) / 2
            if precedes(traces[middle], summary) { low = middle + 1 } else { high = middle }
        }
        traces.insert(summary, at: low)
        if traces.count > limit { traces.removeLast() }
    }

    private func precedes(_ a: TraceSummary, _ b: TraceSummary) -> Bool {
        switch order {
        case .newest: (a.startTimeUnixNano, a.traceID) > (b.startTimeUnixNano, b.traceID)
        case .oldest: (a.startTimeUnixNano, a.traceID) < (b.startTimeUnixNano, b.traceID)
        case .longest: (a.durationNanos, a.traceID) > (b.durationNanos, b.traceID)
        case .shortest: (a.durationNanos, a.traceID) < (b.durationNanos, b.traceID)
        }
    }
}
