import Foundation
import Analyzer
import GRDB
import KeiroModel
import Logging
import Synchronization

/// The embedded span store: one SQLite file in WAL mode, written by a single writer that
/// groups queued batches into transactions, read concurrently through a connection pool.
///
/// Call `run()` (in a task or service group) to start the writer; `write(_:)` returns once
/// the batch is committed.
public final class SQLiteSpanStore: SpanStore {
    /// Called after each committed transaction with its duration and span count.
    public typealias CommitObserver = @Sendable (_ duration: Duration, _ spans: Int) -> Void

    public let configuration: StoreConfiguration
    /// One writer, concurrent readers (WAL): reads never wait for the writer.
    let pool: DatabasePool
    private let queue: WriteQueue
    /// Home segments of recently committed traces (writer only).
    private let recentHomes = Mutex(RecentTraceHomes())
    private let indexed: IndexedAttributes
    private let logger: Logger
    private let onCommit: CommitObserver?

    /// Opens (creating if needed) the database and applies pending migrations.
    public init(configuration: StoreConfiguration, logger: Logger = Logger(label: "keiro.store"), onCommit: CommitObserver? = nil)
        throws
    {
        var config = Configuration()
        config.busyMode = .timeout(10)
        let synchronous = configuration.synchronousFull ? "FULL" : "NORMAL"
        config.prepareDatabase { db in
            // The writer's 256 MiB page cache keeps the trace-id indexes of the newest segment in
            // memory (readers get 16 MiB); checkpoints every 10,000 WAL pages (~40 MiB) bound the WAL.
            let cacheKiB = db.configuration.readonly ? 16_384 : 262_144
            try db.execute(
                sql: """
                    PRAGMA synchronous = \(synchronous); PRAGMA cache_size = -\(cacheKiB);
                    PRAGMA wal_autocheckpoint = 10000; PRAGMA mmap_size = 4294967296
                    """)
        }
        pool = try DatabasePool(path: configuration.path, configuration: config)
        try Migrations.migrator().migrate(pool)
        self.configuration = configuration
        self.queue = WriteQueue(capacity: configuration.maxQueuedSpans)
        self.indexed = IndexedAttributes(configuration: configuration)
        self.logger = logger
        self.onCommit = onCommit
    }

    /// Spans accepted by `write(_:)` and waiting for the writer.
    public var queuedSpans: Int { queue.queuedSpans }

    /// Spans the writer is committing now.
    public var writingSpans: Int { queue.writingSpans }

    /// Bytes on disk: the database file and its write-ahead log.
    public var databaseSize: Int64 {
        [configuration.path, configuration.path + "-wal"].reduce(0) { total, path in
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)??.int64Value
            return total + (size ?? 0)
        }
    }

    // MARK: Writing

    /// Prepares the batch on the caller's task (encoding, compression, per-trace folding:
    /// `PreparedBatch`), then queues it for the writer. A full or closed queue refuses it
    /// before that work is done.
    public func write(_ batch: SpanBatch) async throws -> WriteOutcome {
        if batch.spanCount == 0 { return WriteOutcome() }
        if let refusal = queue.refusal(forSpans: batch.spanCount) { throw refusal }
        let prepared = try PreparedBatch(batch, indexed: indexed)
        return try await withCheckedThrowingContinuation { continuation in
            queue.enqueue(prepared, continuation: continuation)
        }
    }

    /// The writer loop. Runs until cancelled or `close()` is called, then commits what is
    /// still queued and returns; writes after that fail with `StoreUnavailable(.closed)`.
    public func run() async {
        await withTaskCancellationHandler {
            while let items = await queue.next(maxSpans: configuration.maxSpansPerTransaction) {
                await commit(items)
            }
        } onCancel: {
            queue.close()
        }
    }

    /// Stops accepting writes; `run()` drains the queue and returns.
    public func close() {
        queue.close()
    }

    private func commit(_ items: [WriteQueue.Item]) async {
        defer { queue.written(items.reduce(0) { $0 + $1.spanCount }) }
        let clock = ContinuousClock()
        let started = clock.now
        let results = await insertAllOrEach(items.map(\.batch))
        onCommit?(clock.now - started, items.reduce(0) { $0 + $1.spanCount })
        for (item, result) in zip(items, results) {
            if case .failure(let error) = result {
                logger.error("span batch not stored", metadata: ["error": "\(error)"])
            }
            item.continuation.resume(with: result)
        }
    }

    /// Commits the group in one transaction. Should that fail, each batch is retried in a
    /// transaction of its own, so only a batch that fails alone is refused. (Savepoints per
    /// batch would isolate failures too, but SQLite then copies every page a batch touches
    /// into a statement journal: more I/O than the batch itself.)
    private func insertAllOrEach(_ batches: [PreparedBatch]) async -> [Result<WriteOutcome, any Error>] {
        do {
            return try await commitGroup(batches).map { .success($0) }
        } catch {
            guard batches.count > 1 else { return [.failure(error)] }
            logger.warning("span group commit failed; writing its batches one by one", metadata: ["error": "\(error)"])
        }
        var results: [Result<WriteOutcome, any Error>] = []
        for batch in batches {
            do {
                results.append(.success(try await commitGroup([batch])[0]))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }

    /// Prepares and inserts batches in one transaction on the caller's thread, bypassing
    /// the queue: the store's own ceiling, used by benchmarks.
    public func insertDirectly(_ batches: [SpanBatch]) throws -> WriteOutcome {
        let batches = try batches.map { try PreparedBatch($0, indexed: indexed) }
        let (outcomes, homes) = try pool.write { db in try insertGroup(batches, db) }
        recentHomes.withLock { $0.add(homes) }
        return outcomes.reduce(into: WriteOutcome()) { total, outcome in
            total.stored += outcome.stored
            total.duplicates += outcome.duplicates
        }
    }

    /// Writes a group of batches in one transaction; once it has committed, the homes of
    /// its traces join `recentHomes`.
    private func commitGroup(_ batches: [PreparedBatch]) async throws -> [WriteOutcome] {
        let (outcomes, homes) = try await pool.write { [self] db in try insertGroup(batches, db) }
        recentHomes.withLock { $0.add(homes) }
        return outcomes
    }

    /// Inserts a group of batches in the open transaction (all or nothing); also returns
    /// the home segment of every trace it wrote.
    private func insertGroup(
        _ batches: [PreparedBatch], _ db: Database
    ) throws -> (outcomes: [WriteOutcome], homes: [(traceID: TraceID, segment: Int64)]) {
        let segment = try Segments.current(db, maxSpans: configuration.segmentSpans)
        let inserter = try BatchInserter(db, segment: segment, knownHomes: recentHomes.withLock { $0 })
        let outcomes = try batches.map { try inserter.insert($0) }
        let homes = try inserter.finish()
        try Segments.add(outcomes.reduce(0) { $0 + $1.stored }, to: segment, db)
        return (outcomes, homes)
    }

    // MARK: Reading

    public func trace(_ id: TraceID) async throws -> [StoredSpan] {
        try await pool.read { db in try Self.spans(of: id, db) }
    }

    /// The spans of `id` and, for a 128-bit id, those stored under its low 64 bits alone
    /// (a B3 64-bit hop of the same request): what `TraceTree` needs to join them.
    public func traceWith64BitPart(_ id: TraceID) async throws -> [StoredSpan] {
        try await pool.read { db in
            let short = TraceID(high: 0, low: id.low)
            return try Self.spans(of: id, db) + (short == id ? [] : Self.spans(of: short, db))
        }
    }

    private static func spans(of id: TraceID, _ db: Database) throws -> [StoredSpan] {
        // Cached statements: a search reads many traces, and preparing each time was ~11 % of its CPU.
        guard
            let list = try Data.fetchOne(
                db.cachedStatement(
                    sql: "SELECT t.chunks FROM trace_homes h JOIN traces t USING (segment, trace_id) WHERE h.trace_id = ?"),
                arguments: [Data(id.bytes)])
        else { return [] }
        let chunkIDs = try ChunkCodec.decodeChunkIDs(Array(list))
        var resources: [Int64: (Resource, InstrumentationScope)] = [:]
        // A span re-sent in a differently composed batch, or after its segment's digests, is shown once.
        var seen = Set<SpanIdentity>()
        var spans: [StoredSpan] = []
        for chunkID in Set(chunkIDs).sorted() {
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT c.resource_id, c.raw_size, c.body, r.body AS resource_body
                            FROM chunks c JOIN resources r ON r.id = c.resource_id WHERE c.id = ?
                            """),
                    arguments: [chunkID])
            else { continue }
            let resourceID: Int64 = row["resource_id"]
            if resources[resourceID] == nil {
                resources[resourceID] = try SpanBodyCodec.decodeResource(Array(row["resource_body"] as Data))
            }
            let (resource, scope) = resources[resourceID]!
            let body = try ChunkCompression.decompress(Array(row["body"] as Data), rawSize: row["raw_size"])
            for span in try ChunkCodec.spans(of: id, in: body)
            where seen.insert(SpanIdentity(spanID: span.spanID, kind: span.kind)).inserted {
                spans.append(StoredSpan(span: span, resource: resource, scope: scope))
            }
        }
        return spans.sorted {
            ($0.span.startTimeUnixNano, $0.span.spanID.value, $0.span.kind.rawValue)
                < ($1.span.startTimeUnixNano, $1.span.spanID.value, $1.span.kind.rawValue)
        }
    }

    private struct SpanIdentity: Hashable {
        var spanID: SpanID
        var kind: SpanKind
    }

    public func traceSummary(_ id: TraceID) async throws -> TraceSummary? {
        try await pool.read { db in try Self.summary(of: Data(id.bytes), db) }
    }

    public func findTraces(_ query: TraceQuery) async throws -> [TraceSummary] {
        try await pool.read { db in
            try TraceSearch(db: db, query: query, spans: { try Self.spans(of: $0, db) }).run()
        }
    }

    /// A trace's summary row, found through its home segment.
    private static func summary(of traceID: Data, _ db: Database) throws -> TraceSummary? {
        try Row.fetchOne(
            db.cachedStatement(
                sql: "SELECT \(TraceSummary.storedColumns) FROM trace_homes h JOIN traces t USING (segment, trace_id) \(TraceSummary.storedJoin) WHERE h.trace_id = ?"),
            arguments: [traceID]
        ).map(TraceSummary.init(stored:))
    }
}
