import KeiroModel
@testable import Store
import Synchronization
import TestSupport
import Testing

/// The hand-off from the writer to the indexer: when runs are due, what readers wait for,
/// and the writer held back while the indexer is behind.
@Suite struct IndexQueueTests {
    /// A stored part of `spans` spans of one trace.
    private static func part(chunk: Int64, spans: Int) -> PendingPart {
        let trace = SpanFixtures.traceID(UInt64(chunk))
        let spans = (0..<spans).map { index in
            SpanFixtures.httpServerSpan(
                trace: trace, id: SpanFixtures.spanID(UInt64(chunk) * 100 + UInt64(index)), parent: nil, start: 1_000,
                durationNanos: 10)
        }
        var keys = IndexKeyTable()
        let facts = PartFacts(spans, serviceName: "api", indexed: IndexedAttributes(configuration: StoreConfiguration(path: "")), keys: &keys)
        return PendingPart(traceID: trace, chunkID: chunk, segment: 1, serviceID: 1, keys: keys.keys, facts: facts)
    }

    @Test func aRunIsDueWhenARunsWorthOfSpansWaits() async {
        let queue = IndexQueue(maxSpans: 10, delay: .seconds(3_600))
        queue.committed([Self.part(chunk: 1, spans: 4)])
        queue.committed([Self.part(chunk: 2, spans: 6)])
        guard case .run(let parts, let through) = await queue.next() else { Issue.record("no run"); return }
        #expect(parts.map(\.chunkID) == [1, 2] && through == 2 && parts.spanCount == 10)
    }

    /// An indexer that parked on an empty queue wakes for the first parts and runs them
    /// `delay` later, with no reader asking (it used to wait for one, or for a run's worth).
    @Test func partsCommittedWhileTheIndexerWaitsAreIndexedAfterTheDelay() async throws {
        let queue = IndexQueue(maxSpans: 1_000, delay: .milliseconds(100))
        let run = Task { await queue.next() }
        try await Task.sleep(for: .milliseconds(50))  // the indexer parks: nothing waits
        let started = ContinuousClock.now
        queue.committed([Self.part(chunk: 1, spans: 1)])
        let closer = Task {  // bounds the test: closing makes the run due
            try? await Task.sleep(for: .seconds(5))
            queue.close()
        }
        defer { closer.cancel() }
        guard case .run(let parts, let through) = await run.value else { Issue.record("no run"); return }
        #expect(ContinuousClock.now - started < .seconds(4))
        #expect(parts.map(\.chunkID) == [1] && through == 1)
    }

    @Test func aReaderWaitsForTheGroupsCommittedBeforeIt() async throws {
        let queue = IndexQueue(maxSpans: 1_000, delay: .seconds(3_600))
        queue.committed([Self.part(chunk: 1, spans: 1)])
        let released = Mutex(false)
        let reader = Task {
            await queue.caughtUp()
            released.withLock { $0 = true }
        }
        // The reader's request makes the run due at once, an hour before its delay.
        guard case .run(let parts, let through) = await queue.next() else { Issue.record("no run"); return }
        #expect(Array(parts).count == 1)
        // A group of duplicates only, committed during the run, is covered when it ends —
        // not before: the reader still waits for the run.
        queue.committed([])
        try await Task.sleep(for: .milliseconds(20))
        #expect(!released.withLock { $0 })
        queue.indexed(through: through)
        await reader.value
        #expect(released.withLock { $0 })
        await queue.caughtUp()  // returns at once: nothing committed is unindexed
    }

    @Test func theWriterWaitsWhileFourRunsWaitToBeIndexed() async throws {
        let queue = IndexQueue(maxSpans: 10, delay: .seconds(3_600))
        queue.committed([Self.part(chunk: 1, spans: 40)])
        let writer = Task {
            await queue.roomForMore()
            return ContinuousClock.now
        }
        try await Task.sleep(for: .milliseconds(50))
        let released = ContinuousClock.now
        guard case .run(_, let through) = await queue.next() else { Issue.record("no run"); return }
        queue.indexed(through: through)
        #expect(await writer.value >= released)
        await queue.roomForMore()  // nothing waits now
    }

    @Test func closingRunsWhatWaitsThenFinishes() async {
        let queue = IndexQueue(maxSpans: 1_000, delay: .seconds(3_600))
        queue.committed([Self.part(chunk: 1, spans: 1)])
        queue.close()
        guard case .run(let parts, _) = await queue.next() else { Issue.record("no run"); return }
        #expect(Array(parts).count == 1)
        guard case .finished = await queue.next() else { Issue.record("not finished"); return }
    }

    @Test func aFailedRunIsRetriedAfterTheDelayNotAtOnce() async {
        let delay: Duration = .milliseconds(200)
        let queue = IndexQueue(maxSpans: 10, delay: delay)
        queue.committed([Self.part(chunk: 1, spans: 20)])  // a run's worth: due at once
        guard case .run(let parts, _) = await queue.next() else { Issue.record("no run"); return }
        let failedAt = ContinuousClock.now
        queue.failed(parts)
        guard case .run(let retried, _) = await queue.next() else { Issue.record("no retry"); return }
        #expect(ContinuousClock.now - failedAt >= delay)
        #expect(retried.map(\.chunkID) == [1])
    }

    @Test func aRunFailingAfterCloseLeavesEverythingForTheNextOpen() async {
        let queue = IndexQueue(maxSpans: 1_000, delay: .seconds(3_600))
        queue.committed([Self.part(chunk: 1, spans: 1)])
        queue.close()
        guard case .run(let parts, _) = await queue.next() else { Issue.record("no run"); return }
        // Parts committed during the run are newer: indexing them alone would move the mark past chunk 1.
        queue.committed([Self.part(chunk: 2, spans: 1)])
        queue.failed(parts)
        guard case .finished = await queue.next() else { Issue.record("ran after a failure at close"); return }
    }
}
