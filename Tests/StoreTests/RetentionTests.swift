import GRDB
import KeiroModel
@testable import Store
import TestSupport
import Testing

/// Retention drops whole segments, oldest first, never the one being written; a trace goes
/// whole with its home segment, and what is left reads as before.
@Suite struct RetentionTests {
    /// Three spans of trace `n` from `service`, starting at `n` µs.
    private func trace(_ n: UInt64, service: String = "gateway", spans: ClosedRange<UInt64> = 0...2) -> SpanBatch {
        SpanFixtures.batch(
            service: service,
            spans: spans.map { index in
                SpanFixtures.httpServerSpan(
                    trace: SpanFixtures.traceID(n), id: SpanFixtures.spanID(n * 10 + index),
                    parent: index == 0 ? nil : SpanFixtures.spanID(n * 10), start: 1_000 * n + index, durationNanos: 10)
            })
    }

    /// Unix nanoseconds an hour from now: when everything written in a test has expired.
    private func anHourFromNow() -> UInt64 { unixNanosNow() + 3_600_000_000_000 }

    /// Rows of the store's tables that retention empties: chunks, segments, trace homes.
    private func counts(_ store: SQLiteSpanStore) throws -> (chunks: Int, segments: Int, homes: Int) {
        try IndexFile.inspector(forStore: store.configuration.path).read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM chunks")!, try Int.fetchOne(db, sql: "SELECT count(*) FROM segments")!,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM idx.trace_homes")!)
        }
    }

    @Test func expiredSegmentsGoOldestFirstButNeverTheNewest() async throws {
        try await withTemporaryStore(configuration: { $0.segmentSpans = 3 }) { store throws in
            for n: UInt64 in 1...3 { _ = try await store.write(trace(n, service: n == 3 ? "new" : "old")) }
            await store.indexCaughtUp()
            #expect(try counts(store) == (chunks: 3, segments: 3, homes: 3))

            let outcome = try store.prune(olderThan: .seconds(60), now: anHourFromNow())
            #expect(outcome == PruneOutcome(segments: 2, spans: 6, traces: 2, chunks: 2))
            #expect(try counts(store) == (chunks: 1, segments: 1, homes: 1))
            for n: UInt64 in 1...2 {
                #expect(try await store.trace(SpanFixtures.traceID(n)).isEmpty)
                #expect(try await store.traceSummary(SpanFixtures.traceID(n)) == nil)
            }
            #expect(try await store.trace(SpanFixtures.traceID(3)).count == 3)
            #expect(try await store.findTraces(TraceQuery(limit: 10)).map(\.traceID) == [SpanFixtures.traceID(3)])
            #expect(try await store.findTraces(TraceQuery(service: "old", limit: 10)).isEmpty)
            #expect(try await store.findTraces(TraceQuery(service: "new", limit: 10)).map(\.traceID) == [SpanFixtures.traceID(3)])
        }
    }

    @Test func nothingGoesBeforeItsTime() async throws {
        try await withTemporaryStore(configuration: { $0.segmentSpans = 3 }) { store throws in
            for n: UInt64 in 1...3 { _ = try await store.write(trace(n)) }
            #expect(try store.prune(olderThan: .seconds(3_600)) == PruneOutcome())
            #expect(try store.prune(olderThan: .seconds(Int64.max)) == PruneOutcome())
            for n: UInt64 in 1...3 { #expect(try await store.trace(SpanFixtures.traceID(n)).count == 3) }
        }
    }

    /// Trace 1's first part is in the expired segment 1 and its late part in segment 2,
    /// which has not expired: the trace goes whole (its home is gone), trace 2 stays whole.
    @Test func aTraceGoesWholeWithItsHomeSegment() async throws {
        try await withTemporaryStore(configuration: { $0.segmentSpans = 3 }) { store throws in
            _ = try await store.write(trace(1))
            _ = try await store.write(trace(1, spans: 3...3))
            _ = try await store.write(trace(2, spans: 0...1))
            _ = try await store.write(trace(3))
            await store.indexCaughtUp()
            try DatabaseQueue(path: store.configuration.path).write { db in
                try db.execute(sql: "UPDATE segments SET last_write_ns = 0 WHERE id = 1")
            }
            #expect(try store.prune(olderThan: .seconds(3_600)) == PruneOutcome(segments: 1, spans: 3, traces: 1, chunks: 1))
            #expect(try await store.trace(SpanFixtures.traceID(1)).isEmpty)
            #expect(try await store.trace(SpanFixtures.traceID(2)).count == 2)
            #expect(try await store.trace(SpanFixtures.traceID(3)).count == 3)
            #expect(try await store.findTraces(TraceQuery(limit: 10)).map(\.traceID) == [3, 2].map { SpanFixtures.traceID($0) })
        }
    }

    /// A span of a dropped trace that arrives later starts the trace again, in the newest
    /// segment, and a later prune that keeps that segment keeps it.
    @Test func aLateSpanOfADroppedTraceStartsItAgain() async throws {
        try await withTemporaryStore(configuration: { $0.segmentSpans = 3 }) { store throws in
            for n: UInt64 in 1...2 { _ = try await store.write(trace(n)) }
            await store.indexCaughtUp()
            #expect(try store.prune(olderThan: .seconds(60), now: anHourFromNow()).segments == 1)
            _ = try await store.write(trace(1, spans: 4...4))
            let again = try await store.trace(SpanFixtures.traceID(1))
            #expect(again.map(\.span.spanID) == [SpanFixtures.spanID(14)])
            #expect(try await store.traceSummary(SpanFixtures.traceID(1))?.spanCount == 1)
            #expect(try store.prune(olderThan: .seconds(60), now: anHourFromNow()).segments == 1)
            #expect(try await store.trace(SpanFixtures.traceID(1)).count == 1)
            #expect(try await store.trace(SpanFixtures.traceID(2)).isEmpty)
        }
    }

    /// A segment whose chunks the indexer has not reached stays until it has: dropped
    /// before, its traces would be indexed into it afterwards.
    @Test func aSegmentWaitsForTheIndex() async throws {
        try await withTemporaryStore(configuration: { $0.segmentSpans = 3; $0.indexDelay = .seconds(60) }) { store throws in
            for n: UInt64 in 1...2 { _ = try await store.write(trace(n)) }
            #expect(try store.prune(olderThan: .seconds(60), now: anHourFromNow()) == PruneOutcome())
            await store.indexCaughtUp()
            #expect(try store.prune(olderThan: .seconds(60), now: anHourFromNow()) == PruneOutcome(segments: 1, spans: 3, traces: 1, chunks: 1))
            #expect(try await store.trace(SpanFixtures.traceID(1)).isEmpty)
            #expect(try await store.findTraces(TraceQuery(limit: 10)).map(\.traceID) == [SpanFixtures.traceID(2)])
        }
    }

    /// With a retention, a segment that is a quarter of it old is closed even with room
    /// left, so that little traffic does not keep the oldest spans past the retention.
    @Test func littleTrafficStillExpires() async throws {
        try await withTemporaryStore(configuration: { $0.retention = .milliseconds(400) }) { store throws in
            _ = try await store.write(trace(1))
            try await Task.sleep(for: .milliseconds(150))
            _ = try await store.write(trace(2))  // a new segment: the first is 100 ms old
            let deadline = ContinuousClock.now + .seconds(10)
            while try await !store.trace(SpanFixtures.traceID(1)).isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await store.trace(SpanFixtures.traceID(1)).isEmpty)
            #expect(try await store.trace(SpanFixtures.traceID(2)).count == 3)
        }
    }

    /// With a retention set, the running store drops expired segments by itself.
    @Test func theRunningStorePrunesOnItsOwn() async throws {
        try await withTemporaryStore(configuration: { $0.segmentSpans = 3; $0.retention = .milliseconds(200) }) { store throws in
            for n: UInt64 in 1...2 { _ = try await store.write(trace(n)) }
            let deadline = ContinuousClock.now + .seconds(10)
            while try await !store.trace(SpanFixtures.traceID(1)).isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await store.trace(SpanFixtures.traceID(1)).isEmpty)
            #expect(try await store.trace(SpanFixtures.traceID(2)).count == 3)
        }
    }
}
