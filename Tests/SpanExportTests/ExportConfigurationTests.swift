import KeiroModel
import OTLPWire
import TestSupport
import Testing

@testable import SpanExport

@Suite struct ExportConfigurationTests {
    @Test(arguments: [
        ("http://127.0.0.1:4318", "http://127.0.0.1:4318/v1/traces"),
        ("http://127.0.0.1:4318/", "http://127.0.0.1:4318/v1/traces"),
        ("  http://collector:4318  ", "http://collector:4318/v1/traces"),
        ("https://otel.example.com", "https://otel.example.com/v1/traces"),
        ("http://127.0.0.1:4318/v1/traces", "http://127.0.0.1:4318/v1/traces"),
        ("http://127.0.0.1:9000/custom/path", "http://127.0.0.1:9000/custom/path"),
    ])
    func collectorURLGetsTheTracesPathWhenItHasNone(collector: String, endpoint: String) throws {
        #expect(try ExportConfiguration.tracesEndpoint(collector: collector) == endpoint)
    }

    @Test(arguments: ["127.0.0.1:4318", "ftp://host", "http://", "http://:4318", "", "grpc://host:4317"])
    func nonHTTPCollectorURLsAreRefusedWithTheField(collector: String) {
        #expect {
            _ = try ExportConfiguration.tracesEndpoint(collector: collector)
        } throws: { error in
            guard let error = error as? ExportConfigurationError else { return false }
            return error.code == .invalidCollectorURL && error.field == "collector" && error.description.contains("http://")
        }
    }

    @Test func defaultsAreTheDocumentedOnes() throws {
        let configuration = try ExportConfiguration(collector: "http://127.0.0.1:4318", resource: gatewayResource)
        #expect(configuration.queueCapacity == 8192)
        #expect(configuration.maxBatchSize == 512)
        #expect(configuration.flushInterval == .seconds(1))
        #expect(configuration.exportTimeout == .seconds(10))
        #expect(configuration.shutdownTimeout == .seconds(5))
        #expect(configuration.retry == ExportRetryPolicy(
            maxAttempts: 5, initialBackoff: .milliseconds(500), maxBackoff: .seconds(5), backoffMultiplier: 2, jitter: 0.2,
            maxElapsed: .seconds(30)))
        #expect(configuration.scope.name == "keiro")
    }

    @Test func environmentOverridesOpenTelemetryNames() throws {
        var configuration = try ExportConfiguration(collector: "http://127.0.0.1:4318", resource: gatewayResource)
        try configuration.apply(environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4318/",
            "OTEL_BSP_MAX_QUEUE_SIZE": "100", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "10",
            "OTEL_BSP_SCHEDULE_DELAY": "250", "OTEL_BSP_EXPORT_TIMEOUT": "3000",
        ])
        #expect(configuration.endpoint == "http://otel:4318/v1/traces")
        #expect(configuration.queueCapacity == 100)
        #expect(configuration.maxBatchSize == 10)
        #expect(configuration.flushInterval == .milliseconds(250))
        #expect(configuration.exportTimeout == .seconds(3))
        try configuration.apply(environment: ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://traces:1234/x"])
        #expect(configuration.endpoint == "http://traces:1234/x")
        try configuration.apply(environment: [:])
        #expect(configuration.endpoint == "http://traces:1234/x")
    }

    @Test func badEnvironmentNumberNamesTheVariable() throws {
        var configuration = try ExportConfiguration(collector: "http://127.0.0.1:4318", resource: gatewayResource)
        #expect(throws: ExportConfigurationError(
            code: .invalidNumber, field: "OTEL_BSP_MAX_QUEUE_SIZE", message: "'lots' is not a whole number ≥ 1")) {
            try configuration.apply(environment: ["OTEL_BSP_MAX_QUEUE_SIZE": "lots"])
        }
    }

    @Test func exporterRefusesSettingsThatCannotWork() throws {
        var configuration = try ExportConfiguration(collector: "http://127.0.0.1:4318", resource: gatewayResource)
        configuration.queueCapacity = 0
        #expect {
            _ = try SpanExporter(configuration: configuration)
        } throws: { ($0 as? ExportConfigurationError)?.field == "queueCapacity" }
        configuration.queueCapacity = 10
        configuration.retry.jitter = 2
        #expect {
            _ = try SpanExporter(configuration: configuration)
        } throws: { ($0 as? ExportConfigurationError)?.field == "retry.jitter" }
    }

    @Test func batchSizeIsCappedAtQueueCapacity() throws {
        var configuration = try ExportConfiguration(collector: "http://127.0.0.1:4318", resource: gatewayResource)
        configuration.queueCapacity = 64
        #expect(try SpanExporter(configuration: configuration).configuration.maxBatchSize == 64)
    }

    @Test func queueByteBudgetIsAKibibytePerSpanUpTo256MiB() throws {
        var configuration = try ExportConfiguration(collector: "http://127.0.0.1:4318", resource: gatewayResource)
        #expect(configuration.queueByteCapacity == 8 << 20)
        configuration.queueCapacity = 10_000_000
        #expect(configuration.queueByteCapacity == 256 << 20)
    }

    /// Two batches through one encoder (its memory reused): each body is the gzip of the
    /// OTLP request for its spans alone.
    @Test func encodedBodyIsGzipOfTheOTLPRequest() throws {
        let resource = Resource(attributes: [Attribute("service.name", .string("gateway"))])
        var encoder = ExportBodyEncoder(resource: resource, scope: InstrumentationScope(name: "keiro", version: "1.0"), compression: .gzip)
        for (trace, count) in [(9, 300), (10, 5)] {
            let spans = testSpans(trace: UInt64(trace), count: count)
            let body = Array(encoder.body(spansFields: queuedFields(spans)).readableBytesView)
            #expect(body.prefix(2) == [0x1f, 0x8b])  // gzip magic
            #expect(try gunzipOTLP(body) == SpanFixtures.batch(service: "gateway", spans: spans, scope: "keiro"))
        }
    }

    @Test func compressionNoneSendsTheOTLPRequestAsIs() throws {
        let batch = SpanFixtures.batch(service: "gateway", spans: testSpans(trace: 9, count: 5), scope: "keiro")
        let resourceSpans = batch.resourceSpans[0]
        var encoder = ExportBodyEncoder(resource: resourceSpans.resource, scope: resourceSpans.scopeSpans[0].scope, compression: .none)
        #expect(Array(encoder.body(spansFields: queuedFields(resourceSpans.scopeSpans[0].spans)).readableBytesView) == batch.otlpRequestBytes)
    }

    @Test func compressionComesFromTheEnvironmentTracesVariableFirst() throws {
        var configuration = try ExportConfiguration(collector: "http://127.0.0.1:4318", resource: gatewayResource)
        #expect(configuration.compression == .gzip)
        try configuration.apply(environment: ["OTEL_EXPORTER_OTLP_COMPRESSION": "none"])
        #expect(configuration.compression == .none)
        try configuration.apply(environment: [
            "OTEL_EXPORTER_OTLP_COMPRESSION": "none", "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION": " GZIP",
        ])
        #expect(configuration.compression == .gzip)
        #expect(throws: ExportConfigurationError(
            code: .invalidCompression, field: "OTEL_EXPORTER_OTLP_COMPRESSION", message: "'zstd' is not a compression; use gzip or none")) {
            try configuration.apply(environment: ["OTEL_EXPORTER_OTLP_COMPRESSION": "zstd"])
        }
    }
}
