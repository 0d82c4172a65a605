import AsyncHTTPClient
import Hummingbird
import KeiroModel
import Logging
import RoutingCore
import ServiceLifecycle
import SpanExport

/// One proxy (gateway, sidecar or edge) as a swift-service-lifecycle `Service`: an HTTP
/// server applying ``ProxyConfiguration/routes``, one pooled upstream client, and — when
/// ``ProxyConfiguration/collector`` is set — a ``SpanExporter``.
///
/// On graceful shutdown (SIGTERM/SIGINT through a `ServiceGroup`) it stops accepting,
/// finishes in-flight requests, flushes spans and closes the client.
///
/// ```swift
/// let proxy = try ProxyServer(configuration: ProxyConfiguration(routeSets: [routeSet], port: 8081))
/// try await ServiceGroup(services: [proxy], gracefulShutdownSignals: [.sigterm], logger: logger).run()
/// ```
public struct ProxyServer: Service {
    /// The settings the proxy runs with.
    public let configuration: ProxyConfiguration
    private let hosts: VirtualHosts
    private let exporter: SpanExporter?
    private let extraSink: (any SpanSink)?
    private let onServerRunning: @Sendable (Int) async -> Void
    private let logger: Logger

    /// Creates a proxy; nothing listens until ``run()``.
    ///
    /// - Parameters:
    ///   - spanSink: Also receives every span (tests, or an exporter owned elsewhere).
    ///   - onServerRunning: Called with the bound port once the server listens.
    /// - Throws: `ExportConfigurationError` when ``ProxyConfiguration/collector`` is not a usable URL.
    public init(
        configuration: ProxyConfiguration, spanSink: (any SpanSink)? = nil,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        logger: Logger = Logger(label: "keiro.proxy")
    ) throws {
        self.configuration = configuration
        hosts = VirtualHosts(configuration.routeSets)
        if let collector = configuration.collector {
            exporter = try SpanExporter(
                configuration: ExportConfiguration(
                    collector: collector,
                    resource: Resource(attributes: [Attribute(SemanticAttributes.serviceName, .string(configuration.serviceName))])),
                logger: logger)
        } else {
            exporter = nil
        }
        extraSink = spanSink
        self.onServerRunning = onServerRunning
        self.logger = logger
    }

    /// Serves until graceful shutdown, then drains in-flight requests and flushes spans.
    public func run() async throws {
        let client = UpstreamClient.makeClient(configuration)
        // Without a sink (no --collector) the finished spans are not even built.
        let sinks = [exporter, extraSink].compactMap { $0 }
        let sink: (any SpanSink)? = sinks.isEmpty ? nil : FanOutSink(sinks: sinks)
        let responder = ProxyResponder(
            hosts: hosts, configuration: configuration,
            runner: AttemptRunner(client: UpstreamClient(client: client), sink: sink, logger: logger), sink: sink)
        let onServerRunning = onServerRunning
        let port = configuration.port
        let application = Application(
            responder: responder,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: port), serverName: "keiro"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
        let result: Result<Void, any Error>
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                if let exporter { group.addTask { await exporter.run() } }
                defer { exporter?.shutdown() }
                try await application.run()
            }
            result = .success(())
        } catch {
            result = .failure(error)
        }
        do { try await client.shutdown() } catch { logger.debug("upstream client shutdown failed", metadata: ["error": "\(error)"]) }
        try result.get()
    }
}

/// Hands each span to several sinks.
struct FanOutSink: SpanSink {
    let sinks: [any SpanSink]
    func export(_ span: Span) { for sink in sinks { sink.export(span) } }
}
