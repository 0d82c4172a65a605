import Hummingbird
import Logging
import ServiceLifecycle
import Store

/// `keiro collector`: the span store and the HTTP ingest endpoints, run as one service
/// group. On SIGTERM/SIGINT the server stops taking requests and finishes those in flight,
/// then the store commits everything it acknowledged… and only then exits.
public struct Collector: Sendable {
    public let configuration: CollectorConfiguration
    /// The store the collector writes to.
    public let store: SQLiteSpanStore
    private let metrics: IngestMetrics
    private let logger: Logger

    /// Opens the store (creating and migrating the database file as needed).
    public init(configuration: CollectorConfiguration, logger: Logger = Logger(label: "keiro.collector")) throws {
        let metrics = IngestMetrics()
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        self.store = try SQLiteSpanStore(
            configuration: configuration.store, logger: logger, onCommit: { transaction, duration, spans in metrics.committed(transaction, after: duration, spans: spans) })
    }

    /// The HTTP application with the store writer attached as a service; `onServerRunning`
    /// receives the bound port (useful with port 0).
    public func application(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: router(),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "keiro"),
            services: [StoreWriterService(store: store)],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// Every route the collector serves: ingest, health and metrics (`CollectorRoutes`) and
    /// the read-only query API (`QueryRoutes`); `schemas/openapi.yaml` documents them.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        CollectorRoutes(pipeline: IngestPipeline(configuration: configuration, store: store, metrics: metrics, logger: logger))
            .register(on: router)
        QueryRoutes(store: store).register(on: router)
        return router
    }

    /// Runs until SIGINT or SIGTERM, then shuts down gracefully.
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await application(onServerRunning: onServerRunning).runService()
    }
}

/// Runs the store's writer; on graceful shutdown it commits what is queued, then returns.
struct StoreWriterService: Service {
    let store: SQLiteSpanStore

    func run() async throws {
        await withGracefulShutdownHandler {
            await store.run()
        } onGracefulShutdown: {
            store.close()
        }
    }
}
