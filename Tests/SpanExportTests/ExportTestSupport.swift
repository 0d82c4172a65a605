import AsyncHTTPClient
import CompressNIO
import KeiroModel
import Logging
import NIOCore
import OTLPWire
import TestSupport

@testable import SpanExport

/// Spans exported by the tests: `count` server spans of trace `trace`.
func testSpans(trace: UInt64, count: Int, firstSpan: UInt64 = 0) -> [Span] {
    let traceID = SpanFixtures.traceID(trace)
    return (0..<count).map { index in
        SpanFixtures.httpServerSpan(
            trace: traceID, id: SpanFixtures.spanID(firstSpan + UInt64(index)), parent: nil,
            start: 1_700_000_000_000_000_000 + UInt64(index) * 1_000, durationNanos: 500)
    }
}

/// The resource a gateway exports under.
let gatewayResource = Resource(attributes: [Attribute(SemanticAttributes.serviceName, .string("gateway"))])

/// Settings for tests: short waits so nothing takes long.
func testConfiguration(
    collector: String, _ adjust: (inout ExportConfiguration) -> Void = { _ in }
) throws -> ExportConfiguration {
    var configuration = try ExportConfiguration(
        collector: collector, resource: gatewayResource, flushInterval: .milliseconds(50),
        exportTimeout: .seconds(5), shutdownTimeout: .seconds(5),
        retry: ExportRetryPolicy(initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(100), maxElapsed: .seconds(10)))
    adjust(&configuration)
    return configuration
}

/// Runs an exporter's loop while `body` runs, then shuts it down and waits for the loop
/// to flush and return. Returns `body`'s result, the metrics after the loop ended and how
/// long the loop took to end after `shutdown()`.
func withExporter<T: Sendable>(
    _ configuration: ExportConfiguration, httpClient: HTTPClient? = nil, random: @escaping @Sendable () -> Double = { 0.5 },
    _ body: @Sendable (SpanExporter) async throws -> T
) async throws -> (result: T, metrics: ExportMetrics, shutdownTook: Duration) {
    var logger = Logger(label: "keiro.test.span-export")
    logger.logLevel = .critical
    let exporter = try SpanExporter(configuration: configuration, httpClient: httpClient, logger: logger, random: random)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await exporter.run() }
        let result: Result<T, any Error>
        do { result = .success(try await body(exporter)) } catch { result = .failure(error) }
        let clock = ContinuousClock()
        let shutdownTook = try await clock.measure {
            exporter.shutdown()
            try await group.waitForAll()
        }
        return (try result.get(), exporter.metrics, shutdownTook)
    }
}

extension ExportMetrics {
    /// Every enqueued span is accounted for (valid once the exporter stopped).
    var balances: Bool {
        spansEnqueued == spansExported + spansRejected + spansDroppedQueueFull + spansDroppedExportFailed
            + spansDroppedAtShutdown + queueDepth
    }
}

/// Inflates a gzip body and decodes the OTLP protobuf request in it.
func gunzipOTLP(_ bytes: [UInt8]) throws -> SpanBatch {
    var buffer = ByteBuffer(bytes: bytes)
    let inflated = try buffer.decompress(with: .gzip(), maxSize: 64 << 20)
    return try OTLPProtobufDecoder.decode(Array(inflated.readableBytesView)).batch
}

/// `spans` serialized, through the exporter's queue storage, as request fields
/// (what `ExportQueue.take(upTo:into:)` hands the body encoder).
func queuedFields(_ spans: [Span]) -> [UInt8] {
    var ring = SpanByteRing(capacity: spans.count, byteCapacity: spans.count * 1024)
    for span in spans { precondition(ring.append(EncodedSpan(span)) == 0) }
    var fields: [UInt8] = []
    _ = ring.take(upTo: spans.count, into: &fields)
    return fields
}
