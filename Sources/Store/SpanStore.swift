import Analyzer
import KeiroModel

/// A span storage engine. SQLite is the embedded default; other engines implement the same
/// contract (and pass the same conformance tests).
public protocol SpanStore: Sendable {
    /// Stores a batch durably. Returns only after the batch is committed; a thrown error
    /// means nothing of the batch was stored.
    func write(_ batch: SpanBatch) async throws -> WriteOutcome

    /// Every stored span of one trace, ordered by start time.
    func trace(_ id: TraceID) async throws -> [StoredSpan]

    /// The summary of one trace, or `nil` if none of its spans is stored.
    func traceSummary(_ id: TraceID) async throws -> TraceSummary?

    /// The traces matching every filter of `query`, in its order, at most `query.limit`.
    func findTraces(_ query: TraceQuery) async throws -> [TraceSummary]
}

/// What a committed batch changed.
public struct WriteOutcome: Hashable, Sendable {
    /// Spans newly stored.
    public var stored: Int
    /// Spans already present (the same trace id, span id and kind), ignored.
    public var duplicates: Int

    public init(stored: Int = 0, duplicates: Int = 0) {
        self.stored = stored
        self.duplicates = duplicates
    }
}

/// A span read back with the resource and scope it was reported under.
public struct StoredSpan: Hashable, Sendable {
    public var span: Span
    public var resource: Resource
    public var scope: InstrumentationScope

    public init(span: Span, resource: Resource, scope: InstrumentationScope) {
        self.span = span
        self.resource = resource
        self.scope = scope
    }

    /// The reporting service (`service.name` of the resource).
    public var serviceName: String { resource.serviceName }
}

/// The per-trace summary kept up to date as spans arrive.
public struct TraceSummary: Hashable, Sendable {
    public var traceID: TraceID
    /// Earliest start over all stored spans (unix ns).
    public var startTimeUnixNano: UInt64
    /// Latest end minus earliest start, over all stored spans.
    public var durationNanos: UInt64
    public var spanCount: Int
    /// Spans whose status is ERROR.
    public var errorCount: Int
    public var rootSpanID: SpanID
    /// False while the trace's parentless span has not arrived: the root fields then
    /// describe the earliest span seen so far.
    public var hasRoot: Bool
    public var rootService: String
    public var rootName: String
    /// `http.route` of the root span, else its `url.path` (Zipkin: `http.path`).
    public var rootRoute: String?
    /// The flags its spans recorded (`TraceFlags.recorded(by:)`), kept at ingest.
    public var flags: TraceFlags

    public init(
        traceID: TraceID, startTimeUnixNano: UInt64, durationNanos: UInt64, spanCount: Int, errorCount: Int,
        rootSpanID: SpanID, hasRoot: Bool, rootService: String, rootName: String, rootRoute: String?,
        flags: TraceFlags = []
    ) {
        self.traceID = traceID
        self.startTimeUnixNano = startTimeUnixNano
        self.durationNanos = durationNanos
        self.spanCount = spanCount
        self.errorCount = errorCount
        self.rootSpanID = rootSpanID
        self.hasRoot = hasRoot
        self.rootService = rootService
        self.rootName = rootName
        self.rootRoute = rootRoute
        self.flags = flags
    }
}

/// Why a write was refused before reaching the database.
public struct StoreUnavailable: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: String, Sendable {
        /// The write queue holds its maximum of spans; retry later.
        case queueFull = "write queue full"
        /// The store is shutting down.
        case closed = "store is shutting down"
    }

    public var reason: Reason

    public init(reason: Reason) {
        self.reason = reason
    }

    public var description: String { reason.rawValue }
}
