import Prometheus
import Store

/// The collector's Prometheus metrics, served at `GET /metrics`.
final class IngestMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let commitDuration: DurationHistogram
    private let indexDuration: DurationHistogram
    private let retentionDuration: DurationHistogram
    private let spansDropped: Counter
    private let queueDepth: Gauge
    private let databaseBytes: Gauge
    private let attributesLimited: Counter
    private let duplicates: Counter

    private static func name(_ subsystem: String, _ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "keiro", subsystem: subsystem, metricName: metric, unitName: unit, helpText: help)
    }

    private static var batchesAccepted: MetricNameDescriptor { name("collector", "batches_accepted", "total", "Export requests committed") }
    private static var spansAccepted: MetricNameDescriptor { name("collector", "spans_accepted", "total", "Spans newly stored") }
    private static var batchesRejected: MetricNameDescriptor { name(
        "collector", "batches_rejected", "total", "Export requests refused whole, by reason") }
    private static var spansRejected: MetricNameDescriptor { name("collector", "spans_rejected", "total", "Spans refused, by reason") }

    init() {
        let registry = self.registry
        let buckets: [Duration] = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        ]
        commitDuration = registry.makeDurationHistogram(
            descriptor: Self.name("store", "commit_duration", "seconds", "Time to commit one group of batches' spans (acknowledged after it)"),
            buckets: buckets)
        indexDuration = registry.makeDurationHistogram(
            descriptor: Self.name("store", "index_duration", "seconds", "Time to index one run of committed spans (summaries and search entries)"),
            buckets: buckets)
        retentionDuration = registry.makeDurationHistogram(
            descriptor: Self.name("store", "retention_duration", "seconds", "Time to drop one expired segment (index, then chunks)"),
            buckets: buckets)
        spansDropped = registry.makeCounter(
            descriptor: Self.name("store", "spans_expired", "total", "Spans dropped by retention with their segments"))
        queueDepth = registry.makeGauge(descriptor: Self.name("store", "queue", "spans", "Spans accepted and waiting for the writer"))
        databaseBytes = registry.makeGauge(descriptor: Self.name("store", "database", "bytes", "Size of the SQLite database and its WAL"))
        attributesLimited = registry.makeCounter(
            descriptor: Self.name("collector", "attributes_limited", "total", "Attributes dropped or truncated by the collector's limits"))
        duplicates = registry.makeCounter(
            descriptor: Self.name("collector", "spans_duplicate", "total", "Spans received again and ignored (already stored)"))
    }

    /// A batch was committed.
    func accepted(protocol wire: String, spans: Int, duplicates duplicateCount: Int) {
        registry.makeCounter(descriptor: Self.batchesAccepted, labels: [("protocol", wire)]).increment()
        registry.makeCounter(descriptor: Self.spansAccepted, labels: [("protocol", wire)]).increment(by: Int64(spans))
        if duplicateCount > 0 { duplicates.increment(by: Int64(duplicateCount)) }
    }

    /// A whole request was refused (`reason`: too_large, undecodable, unsupported_media_type …).
    func batchRejected(protocol wire: String, reason: String) {
        registry.makeCounter(descriptor: Self.batchesRejected, labels: [("protocol", wire), ("reason", reason)]).increment()
    }

    /// Spans refused, by reason.
    func spansRejected(protocol wire: String, reason: String, count: Int) {
        guard count > 0 else { return }
        registry.makeCounter(descriptor: Self.spansRejected, labels: [("protocol", wire), ("reason", reason)])
            .increment(by: Int64(count))
    }

    func attributesLimited(_ count: Int) {
        if count > 0 { attributesLimited.increment(by: Int64(count)) }
    }

    func committed(_ transaction: SQLiteSpanStore.Transaction, after duration: Duration, spans: Int) {
        switch transaction {
        case .chunks: commitDuration.record(duration)
        case .index: indexDuration.record(duration)
        case .retention:
            retentionDuration.record(duration)
            spansDropped.increment(by: Int64(spans))
        }
    }

    /// The Prometheus text exposition, with the gauges read from the store now.
    func exposition(store: SQLiteSpanStore) -> [UInt8] {
        queueDepth.set(Int64(store.queuedSpans))
        databaseBytes.set(store.databaseSize)
        return registry.emitToBuffer()
    }
}
