import Foundation
import GRDB
import KeiroModel
@testable import Store
import TestSupport
import Testing

/// The search planner against a full scan: on demo-topology traffic written into small
/// segments (so traces' later parts land in segments after their home), every query —
/// terms, prefixes, duration and time bounds, errors, each order, small and large limits —
/// returns exactly what filtering every stored summary by brute force returns, whichever
/// plan (drive from a term, from the duration index, or walk) each segment picked.
@Suite struct SegmentSearchTests {
    private static let end: UInt64 = 1_800_000_000_000_000_000

    @Test func everyPlanAnswersLikeAFullScan() async throws {
        var traffic = DemoTraces(seed: 11, spans: 30_000, endNanos: Self.end, window: .seconds(600))
        var batches: [SpanBatch] = []
        while let batch = traffic.next() { batches.append(batch) }
        let written = batches
        // Indexed after every write group, so that traces are homed across many small segments.
        try await withTemporaryStore(configuration: { $0.segmentSpans = 2_000; $0.indexDelay = .zero }) { store throws in
            for batch in written { _ = try await store.write(batch) }
            await store.indexCaughtUp()
            let reference = try await Reference(store: store, batches: written)
            #expect(reference.segmentCount > 8)
            #expect(reference.homedElsewhere > 100)

            var random = SplitMix64(seed: 3)
            for round in 0..<400 {
                let query = reference.randomQuery(using: &random)
                let found = try await store.findTraces(query).map(\.traceID)
                let expected = reference.answer(query)
                #expect(found == expected, "round \(round): \(query)")
                if found != expected { break }
            }
        }
    }

    /// Every stored summary and its indexed values, read straight from the file.
    private struct Reference {
        var summaries: [TraceSummary] = []
        var values: [TraceID: Set<[String]>] = [:]
        var valuesByKey: [String: [String]] = [:]
        var segmentCount = 0
        var homedElsewhere = 0

        init(store: SQLiteSpanStore, batches: [SpanBatch]) async throws {
            let db = try IndexFile.inspector(forStore: store.configuration.path)
            let rows = try db.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT k.name, e.value, e.trace_id FROM trace_search e JOIN index_keys k ON k.id = e.key_id")
            }
            for row in rows {
                let traceID = TraceID(bytes: row[2] as Data)!
                values[traceID, default: []].insert([row[0], row[1]])
            }
            for (key, entries) in Dictionary(grouping: rows, by: { $0[0] as String }) {
                valuesByKey[key] = Array(Set(entries.map { $0[1] as String })).sorted()
            }
            (segmentCount, homedElsewhere) = try await db.read { db in
                // Spans of traces homed in a segment beyond the spans written while it was current:
                // (a lower bound of) the spans that joined their trace's row from a later segment.
                (try Int.fetchOne(db, sql: "SELECT count(*) FROM segment_bounds WHERE trace_count > 0")!,
                 try Int.fetchOne(
                    db,
                    sql: """
                        SELECT sum(max(0, (SELECT coalesce(sum(span_count), 0) FROM traces t WHERE t.segment = s.id) - s.span_count))
                        FROM segments s
                        """)!)
            }
            // Every trace has one summary row, and it agrees with the spans that were written.
            var expected: [TraceID: (count: Int, start: UInt64, end: UInt64)] = [:]
            for batch in batches {
                for entry in batch.flattened {
                    let span = entry.span
                    let old = expected[span.traceID] ?? (0, .max, 0)
                    expected[span.traceID] = (old.count + 1, min(old.start, span.startTimeUnixNano), max(old.end, span.endTimeUnixNano))
                }
            }
            for (traceID, aggregate) in expected {
                let summary = try #require(try await store.traceSummary(traceID))
                #expect(summary.spanCount == aggregate.count)
                #expect(summary.startTimeUnixNano == aggregate.start)
                #expect(summary.durationNanos == aggregate.end - aggregate.start)
                summaries.append(summary)
            }
            let rowCount = try await db.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM traces")! }
            #expect(rowCount == expected.count)
            // Segment bounds: earliest start and longest duration exact, latest start an upper bound.
            let wrongBounds = try await db.read { db in
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM segment_bounds s JOIN (
                            SELECT segment, count(*) AS n, min(start_ns) AS first, max(start_ns) AS last, max(duration_ns) AS longest
                            FROM traces GROUP BY segment) t ON t.segment = s.id
                        WHERE s.trace_count <> t.n OR s.min_start_ns <> t.first OR s.max_start_ns < t.last
                            OR s.max_duration_ns <> t.longest
                        """)!
            }
            #expect(wrongBounds == 0)
        }

        func answer(_ query: TraceQuery) -> [TraceID] {
            let matching = summaries.filter { summary in
                query.passesSummaryFilters(summary) && query.searchTerms.allSatisfy { term in
                    values[summary.traceID, default: []].contains { pair in
                        pair[0] == term.key && (term.isPrefix ? pair[1].hasPrefix(term.value) : pair[1] == term.value)
                    }
                }
            }
            var best = BestTraces(order: query.order, limit: query.limit)
            for summary in matching { best.add(summary) }
            return best.traces.map(\.traceID)
        }

        func randomQuery(using random: inout SplitMix64) -> TraceQuery {
            func pick(_ key: String) -> String? {
                guard let values = valuesByKey[key], !values.isEmpty else { return nil }
                return values[Int(random.next() % UInt64(values.count))]
            }
            func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }
            var query = TraceQuery(
                limit: [1, 5, 20, 20, 200][Int(random.next() % 5)], order: TraceQuery.Order.allCases[Int(random.next() % 4)])
            if chance(30) { query.service = pick(SemanticAttributes.serviceName) }
            if chance(40) { query.route = pick(SemanticAttributes.httpRoute) }
            if chance(10) { query.pathPrefix = pick(SemanticAttributes.urlPath).map { String($0.prefix(3)) } }
            if chance(25) { query.flags = Set([pick(SearchKeys.flag)].compactMap { $0 }) }
            if chance(20), let value = pick(SemanticAttributes.requestHeaderPrefix + "feature") { query.headers["feature"] = value }
            if chance(10) { query.errorsOnly = true }
            let durations = summaries.map(\.durationNanos).sorted()
            if chance(40) { query.minDuration = durations[Int(random.next() % UInt64(durations.count))] }
            if chance(10) { query.maxDuration = durations[Int(random.next() % UInt64(durations.count))] }
            let starts = summaries.map(\.startTimeUnixNano).sorted()
            if chance(30) {
                let a = starts[Int(random.next() % UInt64(starts.count))]
                let b = starts[Int(random.next() % UInt64(starts.count))]
                query.startAfter = min(a, b)
                if chance(70) { query.startBefore = max(a, b) + 1 }
            }
            return query
        }
    }
}

extension TraceQuery {
    /// The summary filters, by their definitions (the store answers them in SQL).
    fileprivate func passesSummaryFilters(_ summary: TraceSummary) -> Bool {
        if errorsOnly && summary.errorCount == 0 { return false }
        if let minDuration, summary.durationNanos < minDuration { return false }
        if let maxDuration, summary.durationNanos > maxDuration { return false }
        if let startAfter, summary.startTimeUnixNano < startAfter { return false }
        if let startBefore, summary.startTimeUnixNano >= startBefore { return false }
        return true
    }
}
