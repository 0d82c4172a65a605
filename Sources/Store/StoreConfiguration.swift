/// Settings of the SQLite span store.
public struct StoreConfiguration: Sendable {
    /// The database file; created with its schema when missing.
    public var path: String

    /// Request headers whose values are indexed for search, lowercase, exact names.
    /// Default: `x-request-id`, `feature`.
    public var indexedHeaders: Set<String>

    /// Request header name prefixes whose values are indexed. Default: `service-router-`
    /// (the per-pull-request routing headers of the sidecar).
    public var indexedHeaderPrefixes: [String]

    /// Spans allowed to wait for the writer; beyond it writes fail fast with
    /// `StoreUnavailable(.queueFull)` so the collector can answer 503. Default 262,144.
    public var maxQueuedSpans: Int

    /// Spans grouped into one transaction at most, and indexed in one run at most
    /// (sooner after `indexDelay`). Default 65,536.
    public var maxSpansPerTransaction: Int

    /// How long committed spans may wait to be indexed (made searchable) while more gather
    /// for the run; a reader makes the writer index at once, so it never sees the index
    /// behind what was acknowledged (it waits). Longer runs index more cheaply: a trace
    /// whose services export apart costs one summary update per run. Default 250 ms.
    public var indexDelay: Duration

    /// Spans after which a segment is closed, the unit that bounds the write cost of
    /// everything keyed by a random value — trace ids, request ids, paths (see
    /// schemas/sqlite). A transaction never spans two segments, so under load a segment
    /// holds this plus up to one transaction (`maxSpansPerTransaction`). Smaller segments
    /// make writes cheaper; lookups by trace id probe one index entry per segment.
    /// Default 65,536 (docs/BENCHMARKS.md compares sizes).
    public var segmentSpans: Int

    /// How long spans are kept, counted from when they were stored: `nil` (default) keeps
    /// everything. Retention drops whole segments, oldest first, once the newest span
    /// written into one is older than this (never the segment being written); with a
    /// retention a segment is also closed when it is a quarter of it old, so spans stay up
    /// to about a quarter of the retention longer (or one segment's worth of traffic, when
    /// that comes sooner). The files do not shrink: SQLite
    /// reuses the freed pages for new spans.
    public var retention: Duration?

    /// `PRAGMA synchronous` for the writer: `NORMAL` (default; a commit survives a process
    /// crash, WAL mode) or `FULL` (also survives power loss, slower).
    public var synchronousFull: Bool

    public init(
        path: String,
        indexedHeaders: Set<String> = ["x-request-id", "feature"],
        indexedHeaderPrefixes: [String] = ["service-router-"],
        maxQueuedSpans: Int = 262_144,
        maxSpansPerTransaction: Int = 65_536,
        segmentSpans: Int = 65_536,
        indexDelay: Duration = .milliseconds(250),
        retention: Duration? = nil,
        synchronousFull: Bool = false
    ) {
        self.path = path
        self.indexedHeaders = indexedHeaders
        self.indexedHeaderPrefixes = indexedHeaderPrefixes
        self.maxQueuedSpans = maxQueuedSpans
        self.maxSpansPerTransaction = maxSpansPerTransaction
        self.segmentSpans = segmentSpans
        self.indexDelay = indexDelay
        self.retention = retention
        self.synchronousFull = synchronousFull
    }
}
