import Foundation
import GRDB
import KeiroModel
@testable import Store
import TestSupport
import Testing

/// The search index built behind the commit, in its own file (schemas/sqlite/index): a
/// batch is acknowledged once its chunks are committed; readers still see every
/// acknowledged batch, and chunks left unindexed are indexed when the store is next
/// opened, once; an index file that belongs to another store file is rebuilt.
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
        try IndexFile.inspector(forStore: path).read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM chunks WHERE id > (SELECT indexed_through FROM idx.index_state)")!
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
            // As after a crash: another store opening the file indexes what the index lacks.
            let reopened = try SQLiteSpanStore(configuration: StoreConfiguration(path: path))
            #expect(try Self.unindexedChunks(path) == 0)
            for n: UInt64 in 1...2 { try await Self.expectIndexed(reopened, trace: n) }
            // The first writer's own index run finds its chunks taken and adds nothing twice.
            await writer.indexCaughtUp()
            for n: UInt64 in 1...2 { try await Self.expectIndexed(reopened, trace: n) }
        }
    }

    /// Writes the traces numbered `traces` into the store at `path` (created if missing), then closes it.
    private static func writeTraces(_ traces: [UInt64], to path: String) throws {
        let store = try SQLiteSpanStore(configuration: StoreConfiguration(path: path))
        for n in traces { _ = try store.insertDirectly(batches(trace: n)) }
    }

    /// Removes the file at `path` and its WAL files.
    private static func removeDatabase(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    @Test func aMissingIndexFileIsRebuiltFromTheChunks() async throws {
        let directory = try TemporaryDirectory(prefix: "keiro-index-file")
        defer { directory.remove() }
        let path = directory.file("store.sqlite")
        try Self.writeTraces([1, 2], to: path)
        Self.removeDatabase(IndexFile.path(forStore: path))
        let reopened = try SQLiteSpanStore(configuration: StoreConfiguration(path: path))
        for n: UInt64 in 1...2 { try await Self.expectIndexed(reopened, trace: n) }
    }

    @Test func anIndexFileOfAReplacedStoreFileIsRebuilt() async throws {
        let directory = try TemporaryDirectory(prefix: "keiro-index-file")
        defer { directory.remove() }
        let path = directory.file("store.sqlite")
        try Self.writeTraces([1], to: path)
        // A new store file beside the old index: its chunks reuse the ids the old index covers.
        Self.removeDatabase(path)
        let replaced = try SQLiteSpanStore(configuration: StoreConfiguration(path: path))
        _ = try replaced.insertDirectly(Self.batches(trace: 2))
        try await Self.expectIndexed(replaced, trace: 2)
        #expect(try await replaced.traceSummary(SpanFixtures.traceID(1)) == nil)
        #expect(try await replaced.findTraces(TraceQuery(service: "edge")).map(\.traceID) == [SpanFixtures.traceID(2)])
    }

    @Test func anIndexAheadOfARestoredStoreFileIsRebuilt() async throws {
        let directory = try TemporaryDirectory(prefix: "keiro-index-file")
        defer { directory.remove() }
        let path = directory.file("store.sqlite")
        let backup = directory.file("backup.sqlite")
        try Self.writeTraces([1], to: path)
        try FileManager.default.copyItem(atPath: path, toPath: backup)
        try Self.writeTraces([2], to: path)
        // The store file goes back to its copy; the index has indexed chunks it no longer has.
        Self.removeDatabase(path)
        try FileManager.default.copyItem(atPath: backup, toPath: path)
        let restored = try SQLiteSpanStore(configuration: StoreConfiguration(path: path))
        // Its next chunks take the ids trace 2's had.
        _ = try restored.insertDirectly(Self.batches(trace: 3))
        for n: UInt64 in [1, 3] { try await Self.expectIndexed(restored, trace: n) }
        #expect(try await restored.traceSummary(SpanFixtures.traceID(2)) == nil)
    }
}
