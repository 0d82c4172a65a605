import KeiroModel

/// Settings of a ``SpanExporter``. Each property documents its default and the
/// OpenTelemetry environment variable that ``apply(environment:)`` reads for it.
public struct ExportConfiguration: Sendable {
    /// The full OTLP/HTTP traces URL spans are POSTed to, e.g.
    /// `http://127.0.0.1:4318/v1/traces`. Set from `--collector URL`
    /// (see ``tracesEndpoint(collector:)``). Environment: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`
    /// (used as is) or `OTEL_EXPORTER_OTLP_ENDPOINT` (`/v1/traces` appended).
    public var endpoint: String
    /// The process that produced the spans, sent with every batch; for a proxy
    /// `service.name` = `gateway`, `edge` or `sidecar`.
    public var resource: Resource
    /// The instrumentation scope every span is reported under. Default `keiro`.
    public var scope: InstrumentationScope
    /// Most spans held waiting for export; when full the oldest is dropped (and counted).
    /// The queue also holds at most ``queueByteCapacity`` bytes of serialized spans.
    /// Default 8192. Environment: `OTEL_BSP_MAX_QUEUE_SIZE`.
    public var queueCapacity: Int
    /// The queue's byte budget: 1 KiB per span of ``queueCapacity`` (about twice a proxy's
    /// span with its routing attributes; 8 MiB by default), at most 256 MiB.
    public var queueByteCapacity: Int { min(queueCapacity, 1 << 18) * 1024 }
    /// Most spans per export request; a full batch is sent at once. Default 512 (capped at
    /// ``queueCapacity``). Environment: `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`.
    public var maxBatchSize: Int
    /// Longest a span waits for its batch to fill before a partial batch is sent. Default
    /// 1 s (OpenTelemetry's default is 5 s; a shorter wait shows traces sooner).
    /// Environment: `OTEL_BSP_SCHEDULE_DELAY` (milliseconds).
    public var flushInterval: Duration
    /// Longest one export request may take, connecting and reading the answer included.
    /// Default 10 s. Environment: `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT` or
    /// `OTEL_BSP_EXPORT_TIMEOUT` (milliseconds).
    public var exportTimeout: Duration
    /// Longest the flush on shutdown may take; spans still queued then are counted in
    /// ``ExportMetrics/spansDroppedAtShutdown``. Default 5 s.
    public var shutdownTimeout: Duration
    /// Which failures are retried, how often and how long apart. Default
    /// ``ExportRetryPolicy/init(maxAttempts:initialBackoff:maxBackoff:backoffMultiplier:jitter:maxElapsed:)``.
    public var retry: ExportRetryPolicy
    /// How request bodies are compressed: gzip (default) or none, which saves the exporter
    /// its zlib time for a collector on the same machine. Environment:
    /// `OTEL_EXPORTER_OTLP_TRACES_COMPRESSION` or `OTEL_EXPORTER_OTLP_COMPRESSION`.
    public var compression: ExportCompression = .gzip

    /// Settings with the defaults above, sending to `collector` (see ``tracesEndpoint(collector:)``).
    public init(
        collector: String, resource: Resource, scope: InstrumentationScope = InstrumentationScope(name: "keiro"),
        queueCapacity: Int = 8192, maxBatchSize: Int = 512, flushInterval: Duration = .seconds(1),
        exportTimeout: Duration = .seconds(10), shutdownTimeout: Duration = .seconds(5),
        retry: ExportRetryPolicy = ExportRetryPolicy()
    ) throws(ExportConfigurationError) {
        self.endpoint = try Self.tracesEndpoint(collector: collector)
        self.resource = resource
        self.scope = scope
        self.queueCapacity = queueCapacity
        self.maxBatchSize = maxBatchSize
        self.flushInterval = flushInterval
        self.exportTimeout = exportTimeout
        self.shutdownTimeout = shutdownTimeout
        self.retry = retry
    }

    /// The traces URL for a `--collector` value: `http://host:port` (or with a trailing
    /// `/`) gets `/v1/traces` appended; a URL with any other path is used as is.
    /// Throws unless the URL is `http://` or `https://` with a host.
    public static func tracesEndpoint(collector: String, field: String = "collector") throws(ExportConfigurationError) -> String {
        let trimmed = collector.trimmingSpaces
        let lowercased = trimmed.lowercased()
        guard let schemeEnd = ["http://", "https://"].first(where: { lowercased.hasPrefix($0) })?.count else {
            throw ExportConfigurationError(
                code: .invalidCollectorURL, field: field,
                message: "'\(collector)' is not a collector URL; use http://HOST:PORT, e.g. http://127.0.0.1:4318")
        }
        let afterScheme = trimmed.dropFirst(schemeEnd)
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, !authority.hasPrefix(":") else {
            throw ExportConfigurationError(
                code: .invalidCollectorURL, field: field, message: "'\(collector)' has no host; use http://HOST:PORT")
        }
        let path = afterScheme.dropFirst(authority.count)
        if path.isEmpty { return trimmed + "/v1/traces" }
        if path == "/" { return trimmed + "v1/traces" }
        return trimmed
    }

    /// Overrides settings from OpenTelemetry environment variables (those named on each
    /// property); variables not set leave the setting unchanged.
    public mutating func apply(environment: [String: String]) throws(ExportConfigurationError) {
        if let url = environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] {
            endpoint = try Self.tracesEndpoint(collector: url, field: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        } else if let url = environment["OTEL_EXPORTER_OTLP_ENDPOINT"] {
            let base = url.hasSuffix("/") ? String(url.dropLast()) : url
            endpoint = try Self.tracesEndpoint(collector: base + "/v1/traces", field: "OTEL_EXPORTER_OTLP_ENDPOINT")
        }
        func number(_ name: String, minimum: Int) throws(ExportConfigurationError) -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text.trimmingSpaces), value >= minimum else {
                throw ExportConfigurationError(
                    code: .invalidNumber, field: name, message: "'\(text)' is not a whole number ≥ \(minimum)")
            }
            return value
        }
        if let value = try number("OTEL_BSP_MAX_QUEUE_SIZE", minimum: 1) { queueCapacity = value }
        if let value = try number("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", minimum: 1) { maxBatchSize = value }
        if let value = try number("OTEL_BSP_SCHEDULE_DELAY", minimum: 0) { flushInterval = .milliseconds(value) }
        if let value = try number("OTEL_BSP_EXPORT_TIMEOUT", minimum: 1) { exportTimeout = .milliseconds(value) }
        if let value = try number("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", minimum: 1) { exportTimeout = .milliseconds(value) }
        for name in ["OTEL_EXPORTER_OTLP_COMPRESSION", "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION"] {
            guard let text = environment[name] else { continue }
            guard let value = ExportCompression(rawValue: text.trimmingSpaces.lowercased()) else {
                throw ExportConfigurationError(
                    code: .invalidCompression, field: name, message: "'\(text)' is not a compression; use gzip or none")
            }
            compression = value
        }
    }

    /// Checks the numbers; called by ``SpanExporter/init(configuration:httpClient:logger:)``.
    func validate() throws(ExportConfigurationError) {
        func check(_ ok: Bool, _ field: String, _ message: String) throws(ExportConfigurationError) {
            if !ok { throw ExportConfigurationError(code: .invalidNumber, field: field, message: message) }
        }
        try check(queueCapacity >= 1, "queueCapacity", "\(queueCapacity) must be at least 1")
        try check(maxBatchSize >= 1, "maxBatchSize", "\(maxBatchSize) must be at least 1")
        try check(flushInterval >= .zero, "flushInterval", "\(flushInterval) must not be negative")
        try check(exportTimeout > .zero, "exportTimeout", "\(exportTimeout) must be positive")
        try check(shutdownTimeout >= .zero, "shutdownTimeout", "\(shutdownTimeout) must not be negative")
        try check(retry.maxAttempts >= 1, "retry.maxAttempts", "\(retry.maxAttempts) must be at least 1")
        try check(retry.backoffMultiplier >= 1, "retry.backoffMultiplier", "\(retry.backoffMultiplier) must be at least 1")
        try check((0...1).contains(retry.jitter), "retry.jitter", "\(retry.jitter) must be between 0 and 1")
    }
}

/// The compression of export request bodies (OpenTelemetry's `OTEL_EXPORTER_OTLP_COMPRESSION` values).
public enum ExportCompression: String, Sendable, Hashable {
    case gzip
    case none
}

extension String {
    var trimmingSpaces: String {
        var view = self[...]
        while view.first?.isWhitespace == true { view.removeFirst() }
        while view.last?.isWhitespace == true { view.removeLast() }
        return String(view)
    }
}
