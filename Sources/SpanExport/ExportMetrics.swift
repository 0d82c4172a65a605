import Synchronization

/// A point-in-time reading of a ``SpanExporter``'s counters (totals since it was created).
///
/// Every span handed to ``SpanExporter/export(_:)`` ends in exactly one bucket, so once the
/// exporter has stopped
/// `spansEnqueued == spansExported + spansRejected + spansDroppedQueueFull
///  + spansDroppedExportFailed + spansDroppedAtShutdown + queueDepth`
/// (while running, a batch being sent is in none of them).
public struct ExportMetrics: Sendable, Hashable {
    /// Spans handed to ``SpanExporter/export(_:)``.
    public var spansEnqueued: Int = 0
    /// Spans the collector accepted.
    public var spansExported: Int = 0
    /// Spans the collector refused individually (`partial_success.rejected_spans`).
    public var spansRejected: Int = 0
    /// Oldest queued spans dropped because the queue was full (by count or by bytes), and
    /// spans larger than the queue's whole byte budget.
    public var spansDroppedQueueFull: Int = 0
    /// Spans in batches given up: refused whole (400 and other non-retryable statuses),
    /// retries exhausted, or the collector unreachable.
    public var spansDroppedExportFailed: Int = 0
    /// Spans still queued when the shutdown flush ran out of time, or exported after the
    /// exporter stopped.
    public var spansDroppedAtShutdown: Int = 0
    /// Export requests the collector answered with 2xx.
    public var batchesExported: Int = 0
    /// Batches given up (their spans are in ``spansDroppedExportFailed``).
    public var batchesFailed: Int = 0
    /// Requests repeated after a retryable failure (429/502/503/504, connection errors).
    public var retries: Int = 0
    /// Spans waiting in the queue now.
    public var queueDepth: Int = 0

    /// All zero.
    public init() {}
}

/// The counters the run loop updates (the queue keeps the ones updated by callers).
final class ExportCounters: Sendable {
    private let values = Mutex(ExportMetrics())

    func update(_ body: (inout ExportMetrics) -> Void) {
        values.withLock { body(&$0) }
    }

    var snapshot: ExportMetrics { values.withLock { $0 } }
}
