import Foundation
import Analyzer
import CSQLiteTuning
import GRDB
import KeiroModel
import Logging
import Synchronization

/// The embedded span store: SQLite files in WAL mode — the spans (`path`) and their search
/// index (`<path>-index`, `IndexFile`) — each written by one thread, read concurrently
/// through a connection pool that sees both.
///
/// Call `run()` (in a task or service group) to start the writer and the indexer;
/// `write(_:)` returns once the batch is committed. A write is two steps: the writer groups
/// queued batches and commits their chunks (then the batches are acknowledged), and the
/// indexer brings the search index — trace summaries, homes, search entries — up to date
/// behind it in larger runs (`TraceIndexer`): `StoreConfiguration.indexDelay` after the
/// oldest unindexed commit, or at once when a reader asks (or a run's worth of spans is
/// waiting). The two files have a write lock each, so chunk commits go on during index
/// runs. Reads wait for the index to cover every batch acknowledged before they began, so
/// a reader sees what was acknowledged to anyone.
public final class SQLiteSpanStore: SpanStore {
    /// The kinds of transaction.
    public enum Transaction: Sendable {
        /// A group's chunks, which its batches' acknowledgements wait for.
        case chunks
        /// An index run over the parts committed since the last one.
        case index
        /// Retention dropping one expired segment (its index, then its chunks).
        case retention
    }

    /// Called after each committed transaction with its kind, duration and span count (for
    /// `.retention`, the spans the dropped segment held).
    public typealias CommitObserver = @Sendable (_ transaction: Transaction, _ duration: Duration, _ spans: Int) -> Void

    public let configuration: StoreConfiguration
    /// The span file: one writer, concurrent readers (WAL) that attach the index file as
    /// `idx` (`read(_:)`): reads never wait for either writer.
    let pool: DatabasePool
    let index: IndexFile
    private let queue: WriteQueue
    private let indexQueue: IndexQueue
    /// Home segments of recently indexed traces (indexer only).
    let recentHomes = Mutex(RecentTraceHomes())
    private let indexed: IndexedAttributes
    let logger: Logger
    let onCommit: CommitObserver?

    /// Opens (creating if needed) the database and applies pending migrations.
    public init(configuration: StoreConfiguration, logger: Logger = Logger(label: "keiro.store"), onCommit: CommitObserver? = nil)
        throws
    {
        Self.tuneSQLite
        let synchronous = configuration.synchronousFull ? "FULL" : "NORMAL"
        // The index file first: the store's migration 0006 moves an older file's index into it.
        let index = try IndexFile(storePath: configuration.path, synchronous: synchronous)
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // The writer's page cache keeps the newest segment's digests in memory.
            try db.execute(sql: ConnectionPragmas.sql(synchronous: synchronous, cacheKiB: db.configuration.readonly ? 16_384 : 32_768))
            // Readers see the index too. Never the writer: its write transactions would lock both files.
            if db.configuration.readonly {
                try db.execute(sql: "ATTACH DATABASE ? AS idx", arguments: [index.path])
                try db.execute(sql: "PRAGMA idx.cache_size = -16384; PRAGMA idx.mmap_size = 4294967296")
            }
        }
        pool = try DatabasePool(path: configuration.path, configuration: config)
        try Migrations.migrator(indexFile: index, storePath: configuration.path).migrate(pool)
        let (storeID, lastChunk) = try pool.read { db in
            (try Data.fetchOne(db, sql: "SELECT store_id FROM store_identity")!,
             try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM chunks")!)
        }
        try index.adopt(storeID: storeID, lastChunk: lastChunk)
        self.index = index
        self.configuration = configuration
        self.queue = WriteQueue(capacity: configuration.maxQueuedSpans)
        self.indexQueue = IndexQueue(maxSpans: configuration.maxSpansPerTransaction, delay: configuration.indexDelay)
        let indexed = IndexedAttributes(configuration: configuration)
        self.indexed = indexed
        // Chunks the index does not cover yet: those a stopped indexer left, or all of them
        // for a new index file. A CLI reading a running collector's files may index some
        // too; each chunk is indexed once (`TraceIndexer`).
        let caughtUp = try IndexCatchUp.run(store: pool, index: index, indexed: indexed)
        recentHomes.withLock { $0.add(caughtUp) }
        self.logger = logger
        self.onCommit = onCommit
    }

    /// Turns SQLite's memory statistics off, once, before the process's first connection:
    /// with them on, every `sqlite3_malloc` and `sqlite3_free` takes a global mutex (~0.2 µs
    /// per span in the writers' profile). Has no effect once a connection is open.
    private static let tuneSQLite: Void = { _ = keiro_sqlite_disable_memstatus() }()

    /// Spans accepted by `write(_:)` and waiting for the writer.
    public var queuedSpans: Int { queue.queuedSpans }

    /// Spans the writer is committing now.
    public var writingSpans: Int { queue.writingSpans }

    /// The index file beside the span file at `path` (`<path>-index`); the two files, with
    /// their `-wal` and `-shm`, belong together.
    public static func indexPath(forStore path: String) -> String {
        IndexFile.path(forStore: path)
    }

    /// Bytes on disk: the span and index files and their write-ahead logs.
    public var databaseSize: Int64 {
        [configuration.path, configuration.path + "-wal", index.path, index.path + "-wal"].reduce(0) { total, path in
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

    /// The writer and the indexer, each on its own thread. Runs until cancelled or
    /// `close()` is called, then commits and indexes what is still queued and returns;
    /// writes after that fail with `StoreUnavailable(.closed)`.
    /// With a `StoreConfiguration.retention`, a third thread drops expired segments
    /// (`prune(olderThan:now:)`) every `Retention.checkInterval(for:)`.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask(executorPreference: WriterExecutor(label: "keiro.store.indexer")) { await self.indexLoop() }
            await withTaskGroup(of: Void.self) { retention in
                if let age = configuration.retention {
                    retention.addTask(executorPreference: WriterExecutor(label: "keiro.store.retention")) {
                        await self.retentionLoop(age)
                    }
                }
                await withTaskExecutorPreference(WriterExecutor(label: "keiro.store.writer")) { await writerLoop() }
                retention.cancelAll()
            }
            indexQueue.close()
        }
    }

    private func writerLoop() async {
        await withTaskCancellationHandler {
            while true {
                await indexQueue.roomForMore()
                guard let items = await queue.next(maxSpans: configuration.maxSpansPerTransaction) else { return }
                commit(items)
            }
        } onCancel: {
            queue.close()
        }
    }

    private func indexLoop() async {
        let indexer = TraceIndexer()
        while case .run(let parts, let through) = await indexQueue.next() {
            index(parts, through: through, with: indexer)
        }
    }

    /// Stops accepting writes; `run()` drains the queue and returns.
    public func close() {
        queue.close()
    }

    /// Commits the group's chunks, hands the parts stored to the indexer, and acknowledges
    /// the group's batches.
    private func commit(_ items: [WriteQueue.Item]) {
        defer { queue.written(items.reduce(0) { $0 + $1.spanCount }) }
        let clock = ContinuousClock()
        let started = clock.now
        let (results, stored) = insertAllOrEach(items.map(\.batch))
        onCommit?(.chunks, clock.now - started, items.reduce(0) { $0 + $1.spanCount })
        indexQueue.committed(stored)
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
    private func insertAllOrEach(
        _ batches: [PreparedBatch]
    ) -> (results: [Result<WriteOutcome, any Error>], stored: [PendingPart]) {
        do {
            let (outcomes, stored) = try commitGroup(batches)
            return (outcomes.map { .success($0) }, stored)
        } catch {
            guard batches.count > 1 else { return ([.failure(error)], []) }
            logger.warning("span group commit failed; writing its batches one by one", metadata: ["error": "\(error)"])
        }
        var results: [Result<WriteOutcome, any Error>] = []
        var stored: [PendingPart] = []
        for batch in batches {
            do {
                let (outcomes, parts) = try commitGroup([batch])
                results.append(.success(outcomes[0]))
                stored += parts
            } catch {
                results.append(.failure(error))
            }
        }
        return (results, stored)
    }

    /// Stores a group of batches' chunks in one transaction. Blocks: the writer's own thread
    /// (`WriterExecutor`) waits for SQLite.
    private func commitGroup(_ batches: [PreparedBatch]) throws -> ([WriteOutcome], [PendingPart]) {
        try pool.write { db in try insertChunks(batches, db) }
    }

    private func insertChunks(_ batches: [PreparedBatch], _ db: Database) throws -> ([WriteOutcome], [PendingPart]) {
        let now = Int64(unixNanosNow())
        let segment = try Segments.current(
            db, maxSpans: configuration.segmentSpans, maxAge: configuration.retention.map { $0.nanoseconds / 4 }, now: now)
        let inserter = try ChunkInserter(db, segment: segment)
        let outcomes = try batches.map { try inserter.insert($0) }
        try Segments.add(outcomes.reduce(0) { $0 + $1.stored }, to: segment, at: now, db)
        return (outcomes, inserter.stored)
    }

    /// Indexes parts in one transaction of the index file; readers waiting for them go on.
    /// On failure the parts wait again (`IndexQueue.failed(_:)`) for a later run.
    private func index(_ parts: PendingParts, through: Int, with indexer: TraceIndexer) {
        do {
            let clock = ContinuousClock()
            let started = clock.now
            try indexParts(parts, with: indexer)
            onCommit?(.index, clock.now - started, parts.spanCount)
            indexQueue.indexed(through: through)
        } catch {
            logger.error("stored spans not indexed yet; retrying", metadata: ["error": "\(error)"])
            indexQueue.failed(parts)
        }
    }

    /// Indexes `parts` in one transaction of the index file and remembers their homes. The
    /// homes known are taken inside the transaction, so none of a segment retention dropped
    /// (`prune`, also a transaction of the index file) is used after it.
    private func indexParts(_ parts: some Sequence<PendingPart>, with indexer: TraceIndexer) throws {
        let homes = try index.writer.write { db in
            try indexer.index(parts, in: db, knownHomes: recentHomes.withLock { $0 })
        }
        recentHomes.withLock { $0.add(homes) }
    }

    /// Prepares and inserts batches, chunks then index, on the caller's thread, bypassing
    /// the queue and the writer's threads: for loading a store without running it (tests,
    /// the query benchmark).
    public func insertDirectly(_ batches: [SpanBatch]) throws -> WriteOutcome {
        let batches = try batches.map { try PreparedBatch($0, indexed: indexed) }
        let (outcomes, stored) = try pool.write { db in try insertChunks(batches, db) }
        try indexParts(stored, with: TraceIndexer())
        return outcomes.reduce(into: WriteOutcome()) { total, outcome in
            total.stored += outcome.stored
            total.duplicates += outcome.duplicates
        }
    }

    /// Returns once every batch acknowledged before the call is indexed (searchable). The
    /// store's own reads do this first; a reader of the file itself (another connection)
    /// can call it to see the same.
    public func indexCaughtUp() async {
        await indexQueue.caughtUp()
    }

    /// Reads through the pool, seeing the index no older than the spans: the transaction's
    /// snapshot of the index file is taken first, so every chunk the index names is there.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.read { db in
            _ = try Int64.fetchOne(db, sql: "SELECT indexed_through FROM idx.index_state")
            return try body(db)
        }
    }

    // MARK: Reading

    public func trace(_ id: TraceID) async throws -> [StoredSpan] {
        await indexCaughtUp()
        return try await read { db in try Self.spans(of: id, db) }
    }

    /// The spans of `id` and, for a 128-bit id, those stored under its low 64 bits alone
    /// (a B3 64-bit hop of the same request): what `TraceTree` needs to join them.
    public func traceWith64BitPart(_ id: TraceID) async throws -> [StoredSpan] {
        await indexCaughtUp()
        return try await read { db in
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
        await indexCaughtUp()
        return try await read { db in try Self.summary(of: Data(id.bytes), db) }
    }

    public func findTraces(_ query: TraceQuery) async throws -> [TraceSummary] {
        await indexCaughtUp()
        return try await read { db in
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
