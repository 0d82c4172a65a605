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
/// the batch is committed. A write is two steps: the group's chunks are committed first
/// (and the batches acknowledged), and the search index — trace summaries, homes, search
/// entries — is brought up to date behind them in larger runs (`TraceIndexer`): every
/// `StoreConfiguration.indexDelay` after the oldest unindexed commit, or at once when a
/// reader asks (or a run's worth of spans is waiting). Reads wait
/// for the index to cover every batch acknowledged before they began, so a reader sees
/// what was acknowledged to anyone.
public final class SQLiteSpanStore: SpanStore {
    /// The writer's two kinds of transaction.
    public enum Transaction: Sendable {
        /// A group's chunks, which its batches' acknowledgements wait for.
        case chunks
        /// An index run over the parts committed since the last one.
        case index
    }

    /// Called after each committed transaction with its kind, duration and span count.
    public typealias CommitObserver = @Sendable (_ transaction: Transaction, _ duration: Duration, _ spans: Int) -> Void

    public let configuration: StoreConfiguration
    /// One writer, concurrent readers (WAL): reads never wait for the writer.
    let pool: DatabasePool
    private let queue: WriteQueue
    private let progress = IndexProgress()
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
        let indexed = IndexedAttributes(configuration: configuration)
        self.indexed = indexed
        // Only a file a writer left mid-way takes the write lock at open (a CLI reading the
        // file of a running collector usually finds nothing listed).
        if try pool.read(UnindexedChunks.any) {
            let recovered = try pool.write { db in
                try UnindexedChunks.index(db, indexed: indexed, segmentSpans: configuration.segmentSpans)
            }
            recentHomes.withLock { $0.add(recovered) }
        }
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

    /// The writer loop. Runs until cancelled or `close()` is called, then commits and
    /// indexes what is still queued and returns; writes after that fail with
    /// `StoreUnavailable(.closed)`.
    public func run() async {
        await withTaskExecutorPreference(WriterExecutor()) { await writerLoop() }
    }

    private func writerLoop() async {
        await withTaskCancellationHandler {
            var pending = PendingIndex()
            while true {
                let due = pending.since.map { $0 + configuration.indexDelay }
                switch await queue.next(maxSpans: configuration.maxSpansPerTransaction, indexBy: due) {
                case .batches(let items):
                    pending.add(commit(items))
                    // Nothing new to index (duplicates, a failed group) settles readers at once.
                    if pending.parts.isEmpty || pending.spanCount >= configuration.maxSpansPerTransaction
                        || due.map({ $0 <= .now }) == true || queue.takeIndexRequest()
                    {
                        index(&pending)
                    }
                case .index:
                    index(&pending)
                case .finished:
                    return
                }
            }
        } onCancel: {
            queue.close()
        }
    }

    /// Stops accepting writes; `run()` drains the queue and returns.
    public func close() {
        queue.close()
    }

    /// Commits the group's chunks, acknowledges its batches, and returns the parts stored.
    private func commit(_ items: [WriteQueue.Item]) -> [PendingPart] {
        defer { queue.written(items.reduce(0) { $0 + $1.spanCount }) }
        let clock = ContinuousClock()
        let started = clock.now
        let (results, stored) = insertAllOrEach(items.map(\.batch))
        onCommit?(.chunks, clock.now - started, items.reduce(0) { $0 + $1.spanCount })
        progress.committedGroup()
        for (item, result) in zip(items, results) {
            if case .failure(let error) = result {
                logger.error("span batch not stored", metadata: ["error": "\(error)"])
            }
            item.continuation.resume(with: result)
        }
        return stored
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
        let segment = try Segments.current(db, maxSpans: configuration.segmentSpans)
        let inserter = try ChunkInserter(db, segment: segment)
        let outcomes = try batches.map { try inserter.insert($0) }
        try Segments.add(outcomes.reduce(0) { $0 + $1.stored }, to: segment, db)
        return (outcomes, inserter.stored)
    }

    /// Indexes the pending parts in one transaction; readers waiting for them go on. On
    /// failure the parts stay pending (and listed in `unindexed_chunks`) for the next run.
    private func index(_ pending: inout PendingIndex) {
        let through = progress.committed
        guard !pending.parts.isEmpty else {
            progress.indexed(through: through)
            return
        }
        let parts = pending.parts
        do {
            let clock = ContinuousClock()
            let started = clock.now
            let homes = try pool.write { db in try indexParts(parts, db) }
            onCommit?(.index, clock.now - started, pending.spanCount)
            recentHomes.withLock { $0.add(homes) }
            pending = PendingIndex()
            progress.indexed(through: through)
        } catch {
            logger.error("stored spans not indexed yet; retrying", metadata: ["error": "\(error)"])
            pending.retryLater()
            progress.releaseWaiters()
        }
    }

    private func indexParts(_ parts: [PendingPart], _ db: Database) throws -> [(traceID: TraceID, segment: Int64)] {
        let segment = try Segments.current(db, maxSpans: configuration.segmentSpans)
        return try TraceIndexer(db, segment: segment, knownHomes: recentHomes.withLock { $0 }).index(parts)
    }

    /// Prepares and inserts batches, chunks and index, in one transaction on the caller's
    /// thread, bypassing the queue: the store's own ceiling, used by benchmarks.
    public func insertDirectly(_ batches: [SpanBatch]) throws -> WriteOutcome {
        let batches = try batches.map { try PreparedBatch($0, indexed: indexed) }
        let (outcomes, homes) = try pool.write { db in
            let (outcomes, stored) = try insertChunks(batches, db)
            return (outcomes, try indexParts(stored, db))
        }
        recentHomes.withLock { $0.add(homes) }
        return outcomes.reduce(into: WriteOutcome()) { total, outcome in
            total.stored += outcome.stored
            total.duplicates += outcome.duplicates
        }
    }

    /// Returns once every batch acknowledged before the call is indexed (searchable). The
    /// store's own reads do this first; a reader of the file itself (another connection)
    /// can call it to see the same.
    public func indexCaughtUp() async {
        await progress.caughtUp { queue.requestIndex() }
    }

    // MARK: Reading

    public func trace(_ id: TraceID) async throws -> [StoredSpan] {
        await indexCaughtUp()
        return try await pool.read { db in try Self.spans(of: id, db) }
    }

    /// The spans of `id` and, for a 128-bit id, those stored under its low 64 bits alone
    /// (a B3 64-bit hop of the same request): what `TraceTree` needs to join them.
    public func traceWith64BitPart(_ id: TraceID) async throws -> [StoredSpan] {
        await indexCaughtUp()
        return try await pool.read { db in
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
        return try await pool.read { db in try Self.summary(of: Data(id.bytes), db) }
    }

    public func findTraces(_ query: TraceQuery) async throws -> [TraceSummary] {
        await indexCaughtUp()
        return try await pool.read { db in
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

/// The writer's stored parts not yet indexed, and since when.
private struct PendingIndex {
    private(set) var parts: [PendingPart] = []
    private(set) var spanCount = 0
    /// When the oldest of them was committed.
    private(set) var since: ContinuousClock.Instant?

    mutating func add(_ stored: [PendingPart]) {
        guard !stored.isEmpty else { return }
        if since == nil { since = .now }
        parts += stored
        spanCount += stored.reduce(0) { $0 + $1.facts.aggregate.spanCount }
    }

    /// An index run failed: try again one delay from now.
    mutating func retryLater() {
        since = .now
    }
}
