import RoutingCore

/// Settings of one proxy process (`keiro gateway`, `keiro sidecar`, `keiro edge`). Every
/// property documents its default.
public struct ProxyConfiguration: Sendable {
    /// Address to listen on. Default `127.0.0.1`.
    public var host: String
    /// Port to listen on; 0 picks a free port (reported through `onServerRunning`). Default 8081.
    public var port: Int
    /// The route sets this proxy applies, each compiled once into a `RouteTable`; with
    /// several (a sidecar serving several VirtualServices) the request's host picks one.
    public var routeSets: [RouteSet]
    /// `service.name` of the spans this proxy records (`gateway`, `edge`, `sidecar`). Default `gateway`.
    public var serviceName: String
    /// `--collector URL`: where spans are sent as OTLP/HTTP (`http://127.0.0.1:4318`). Default
    /// nil: no exporter is started (a ``SpanSink`` passed to ``ProxyServer`` still receives spans).
    public var collector: String?
    /// Request headers recorded on SERVER spans as `http.request.header.<name>` (lowercase
    /// names). Default `feature`.
    public var recordedRequestHeaders: [String]
    /// Request header name prefixes recorded the same way. Default `service-router-`.
    public var recordedRequestHeaderPrefixes: [String]
    /// Largest request body kept in memory so a try can be replayed (Envoy's retry buffer).
    /// A body with a `Content-Length` up to this many bytes is buffered; a larger or
    /// chunked body is streamed to the upstream as it arrives and the request is **not
    /// retried** (per-try and route timeouts still apply). Default 64 KiB.
    public var retryBufferLimit: Int
    /// Longest a TCP connect to an upstream may take (also cut short by the try's
    /// deadline). Default 10 s (Istio's `connectTimeout` default).
    public var connectTimeout: Duration
    /// Most idle HTTP/1.1 connections kept per upstream address and event loop (like nginx's
    /// `keepalive N`: more tries at once each get a connection, which closes after its
    /// response when that many are idle). Default 64.
    public var maxConnectionsPerHost: Int
    /// Re-read the route config on SIGHUP and when its files change. Default nil: the route
    /// sets stay as given (the `keiro` proxy commands turn it on).
    public var reload: ReloadSettings?
    /// Write ALB-format access logs (``AccessLogWriter``). Default: the edge route set's
    /// `accessLog`, else none.
    public var accessLog: AccessLogSettings?
    /// Add `X-Amzn-Trace-Id` (Root = this trace) to requests that arrive without one, as an
    /// AWS ALB does, so the access log's `trace_id` names the trace. Default: true for an edge.
    public var addsAmazonTraceID: Bool
    /// OpenTelemetry variables applied to the span exporter's settings with
    /// `ExportConfiguration.apply(environment:)` (`OTEL_BSP_MAX_QUEUE_SIZE`, …). Default empty.
    public var exportEnvironment: [String: String]

    /// Settings with the defaults above.
    public init(
        routeSets: [RouteSet], host: String = "127.0.0.1", port: Int = 8081, serviceName: String = "gateway",
        collector: String? = nil, recordedRequestHeaders: [String] = ["feature"],
        recordedRequestHeaderPrefixes: [String] = ["service-router-"], retryBufferLimit: Int = 64 * 1024,
        connectTimeout: Duration = .seconds(10), maxConnectionsPerHost: Int = 64
    ) {
        self.routeSets = routeSets
        self.host = host
        self.port = port
        self.serviceName = serviceName
        self.collector = collector
        self.recordedRequestHeaders = recordedRequestHeaders.map { $0.lowercased() }
        self.recordedRequestHeaderPrefixes = recordedRequestHeaderPrefixes.map { $0.lowercased() }
        self.retryBufferLimit = retryBufferLimit
        self.connectTimeout = connectTimeout
        self.maxConnectionsPerHost = maxConnectionsPerHost
        accessLog = routeSets.first { $0.kind == .edge }?.accessLog
        addsAmazonTraceID = routeSets.contains { $0.kind == .edge }
        exportEnvironment = [:]
    }

    /// Whether header `name` (lowercase) is recorded on SERVER spans.
    func records(header name: String) -> Bool {
        recordedRequestHeaders.contains(name) || recordedRequestHeaderPrefixes.contains { name.hasPrefix($0) }
    }
}
