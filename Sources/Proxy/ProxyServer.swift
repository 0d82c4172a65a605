import Foundation
import KeiroModel
import Logging
import RoutingCore
import ServiceLifecycle
import SpanExport

/// One proxy (gateway, sidecar or edge) as a swift-service-lifecycle `Service`: an HTTP
/// server applying ``ProxyConfiguration/routes``, one pooled upstream client, and — when
/// configured — a ``SpanExporter`` (``ProxyConfiguration/collector``), a
/// ``ConfigReloader`` (``ProxyConfiguration/reload``) and an ``AccessLogWriter``
/// (``ProxyConfiguration/accessLog``).
///
/// On graceful shutdown (SIGTERM/SIGINT through a `ServiceGroup`) it stops accepting,
/// finishes in-flight requests, flushes spans and access log lines and closes the client.
///
/// ```swift
/// let proxy = try ProxyServer(configuration: ProxyConfiguration(routeSets: [routeSet], port: 8081))
/// try await ServiceGroup(services: [proxy], gracefulShutdownSignals: [.sigterm], logger: logger).run()
/// ```
public struct ProxyServer: Service {
    /// The settings the proxy runs with.
    public let configuration: ProxyConfiguration
    private let routing: RoutingState
    private let exporter: SpanExporter?
    private let accessLog: AccessLogWriter?
    private let extraSink: (any SpanSink)?
    private let onServerRunning: @Sendable (Int) async -> Void
    private let logger: Logger

    /// Creates a proxy; nothing listens until ``run()``.
    ///
    /// - Parameters:
    ///   - spanSink: Also receives every span (tests, or an exporter owned elsewhere).
    ///   - onServerRunning: Called with the bound port once the server listens.
    /// - Throws: `ExportConfigurationError` when ``ProxyConfiguration/collector`` is not a
    ///   usable URL or ``ProxyConfiguration/exportEnvironment`` holds a bad value.
    public init(
        configuration: ProxyConfiguration, spanSink: (any SpanSink)? = nil,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        logger: Logger = Logger(label: "keiro.proxy")
    ) throws {
        self.configuration = configuration
        routing = RoutingState(configuration.routeSets)
        if let collector = configuration.collector {
            var export = try ExportConfiguration(
                collector: collector,
                resource: Resource(attributes: [
                    Attribute(SemanticAttributes.serviceName, .string(configuration.serviceName)),
                    Attribute(SemanticAttributes.hostName, .string(ProcessInfo.processInfo.hostName)),
                ]))
            try export.apply(environment: configuration.exportEnvironment)
            exporter = try SpanExporter(configuration: export, logger: logger)
        } else {
            exporter = nil
        }
        accessLog = configuration.accessLog.map {
            AccessLogWriter(settings: $0, loadBalancerName: configuration.serviceName, address: configuration.host, logger: logger)
        }
        extraSink = spanSink
        self.onServerRunning = onServerRunning
        self.logger = logger
    }

    /// The span exporter's counters (nil without ``ProxyConfiguration/collector``).
    public var exportMetrics: ExportMetrics? { exporter?.metrics }
    /// Config reloads so far.
    public var reloadMetrics: ReloadMetrics { routing.metrics }
    /// The access log's counters (nil without ``ProxyConfiguration/accessLog``).
    public var accessLogMetrics: AccessLogMetrics? { accessLog?.metrics }

    /// Serves until graceful shutdown, then drains in-flight requests and flushes spans.
    public func run() async throws {
        let client = await UpstreamClient(configuration)
        // Without a sink (no --collector, no access log) the finished spans are not even built.
        let sinks = [exporter, accessLog, extraSink].compactMap { $0 }
        let sink: (any SpanSink)? = sinks.count > 1 ? FanOutSink(sinks: sinks) : sinks.first
        let responder = ProxyResponder(
            routing: routing, configuration: configuration,
            runner: AttemptRunner(client: client, sink: sink, logger: logger), sink: sink)
        let reloader = configuration.reload.map {
            ConfigReloader(settings: $0, state: routing, initial: configuration.routeSets, logger: logger)
        }
        let result: Result<Void, any Error>
        do {
            // Exporter and access log drain after the server has finished its requests.
            try await withThrowingTaskGroup(of: Void.self) { group in
                if let exporter { group.addTask { await exporter.run() } }
                if let accessLog { group.addTask { await accessLog.run() } }
                defer {
                    exporter?.shutdown()
                    accessLog?.finish()
                }
                // The reloader stops with the server.
                try await withThrowingTaskGroup(of: Void.self) { serving in
                    if let reloader { serving.addTask { await reloader.run() } }
                    try await ProxyHTTPServer.run(
                        host: configuration.host, port: configuration.port, responder: responder,
                        retryBufferLimit: configuration.retryBufferLimit, onServerRunning: onServerRunning)
                    serving.cancelAll()
                }
            }
            result = .success(())
        } catch {
            result = .failure(error)
        }
        await client.shutdown()
        try result.get()
    }
}

/// Hands each span to several sinks.
struct FanOutSink: SpanSink {
    let sinks: [any SpanSink]
    func export(_ span: FinishedSpan) { for sink in sinks { sink.export(span) } }
}
