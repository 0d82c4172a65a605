import Foundation
import GRDB
import KeiroModel
@testable import Store
import TestSupport
import Testing

/// The search index built behind the commit (schemas/sqlite/0005): a batch is acknowledged
/// once its chunks are committed; readers still see every acknowledged batch, and chunks a
/// writer left unindexed are indexed when the file is next opened, once.
@Suite struct DeferredIndexTests {
    private static let hour: Duration = .seconds(3_600)

    /// One request's spans from three services, exported in three batches, last hop first.
    private static func batches(trace n: UInt64) -> [SpanBatch] {
        let trace = SpanFixtures.traceID(n)
        let services = ["edge", "gateway", "search-api"]
        return services.indices.reversed().map { index in
            let span = SpanFixtures.httpServerSpan(
                trace: trace, id: SpanFixtures.spanID(n * 10 + UInt64(index)),
                parent: index == 0 ? nil : SpanFixtures.spanID(n * 10 + UInt64(index) - 1),
                start: 1_000_000 + UInt64(index), durationNanos: 100 - UInt64(index) * 10, headers: ["feature": "v\(n)"])
            return SpanFixtures.batch(service: services[index], spans: [span])
        }
    }

    private static func unindexedChunks(_ path: String) throws -> Int {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: path, configuration: configuration).read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM unindexed_chunks")!
        }
    }

    private static func expectIndexed(_ store: SQLiteSpanStore, trace n: UInt64) async throws {
        let trace = SpanFixtures.traceID(n)
        let summary = try #require(try await store.traceSummary(trace))
        #expect(summary.spanCount == 3)
        #expect(summary.rootService == "edge")
        #expect(summary.durationNanos == 100)
        #expect(try await store.findTraces(TraceQuery(service: "search-api", headers: ["feature": "v\(n)"])).map(\.traceID) == [trace])
        #expect(try await store.trace(trace).count == 3)
    }

    @Test func readersSeeEveryAcknowledgedBatchWhileIndexingWaits() async throws {
        try await withTemporaryStore(configuration: { $0.indexDelay = Self.hour }) { store throws in
            for batch in Self.batches(trace: 1) { _ = try await store.write(batch) }
            // Acknowledged and committed, not yet indexed: the writer waits for its delay.
            #expect(try Self.unindexedChunks(store.configuration.path) == 3)
            // A read asks the writer to index now and waits for it.
            try await Self.expectIndexed(store, trace: 1)
            #expect(try Self.unindexedChunks(store.configuration.path) == 0)
        }
    }

    @Test func chunksLeftUnindexedAreIndexedOnceWhenTheFileIsNextOpened() async throws {
        try await withTemporaryStore(configuration: { $0.indexDelay = Self.hour }) { writer throws in
            for n: UInt64 in 1...2 {
                for batch in Self.batches(trace: n) { _ = try await writer.write(batch) }
            }
            let path = writer.configuration.path
            #expect(try Self.unindexedChunks(path) == 6)
            // As after a crash: another store opening the file indexes what is listed.
            let reopened = try SQLiteSpanStore(configuration: StoreConfiguration(path: path))
            #expect(try Self.unindexedChunks(path) == 0)
            for n: UInt64 in 1...2 { try await Self.expectIndexed(reopened, trace: n) }
            // The first writer's own index run finds its chunks taken and adds nothing twice.
            await writer.indexCaughtUp()
            for n: UInt64 in 1...2 { try await Self.expectIndexed(reopened, trace: n) }
        }
    }
}
