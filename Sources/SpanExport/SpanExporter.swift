import AsyncHTTPClient
import KeiroModel
import Logging
import NIOCore
import OTLPWire

/// Sends finished spans to Keiro's collector (or any OTLP/HTTP receiver) in gzip-compressed
/// protobuf batches, off the caller's path.
///
/// ``export(_:)`` only appends to a bounded in-memory queue: it never waits, and when the
/// queue is full the oldest span is dropped and counted. ``run()`` is the long-lived loop
/// that batches (by size and age), sends and retries; run it in a task group or service
/// group for the exporter's lifetime, and call ``shutdown()`` to make it flush what is
/// queued (within ``ExportConfiguration/shutdownTimeout``) and return.
///
/// ```swift
/// let exporter = try SpanExporter(configuration: ExportConfiguration(
///     collector: "http://127.0.0.1:4318", resource: Resource(attributes: [Attribute("service.name", .string("gateway"))])))
/// try await withThrowingTaskGroup(of: Void.self) { group in
///     group.addTask { await exporter.run() }
///     exporter.export(span)      // from any thread or task
///     exporter.shutdown()        // run() flushes, then returns
/// }
/// ```
public final class SpanExporter: Sendable {
    typealias Instant = ContinuousClock.Instant

    /// The settings the exporter was created with.
    public let configuration: ExportConfiguration
    private let queue: ExportQueue
    private let counters = ExportCounters()
    private let httpClient: HTTPClient?
    private let random: @Sendable () -> Double
    private let logger: Logger

    /// Creates an exporter; nothing is sent until ``run()`` runs.
    ///
    /// - Parameters:
    ///   - httpClient: The client requests go through. Default `nil`: ``run()`` creates
    ///     one client for the exporter's lifetime, tuned so the retry policy alone decides
    ///     about connection failures (AsyncHTTPClient's own connect retries off, connect
    ///     timeout = ``ExportConfiguration/exportTimeout``), and shuts it down on return.
    ///     A client passed in is used as is and not shut down; with its default pool
    ///     settings a refused connection only fails at the request deadline.
    ///   - logger: Receives a warning when a batch is dropped, debug details otherwise.
    /// - Throws: ``ExportConfigurationError`` naming the setting that cannot work.
    public convenience init(
        configuration: ExportConfiguration, httpClient: HTTPClient? = nil,
        logger: Logger = Logger(label: "keiro.span-export")
    ) throws(ExportConfigurationError) {
        try self.init(configuration: configuration, httpClient: httpClient, logger: logger, random: { Double.random(in: 0..<1) })
    }

    /// As the public initializer, with the jitter's random source injected (tests).
    init(
        configuration: ExportConfiguration, httpClient: HTTPClient?, logger: Logger, random: @escaping @Sendable () -> Double
    ) throws(ExportConfigurationError) {
        try configuration.validate()
        var configuration = configuration
        configuration.maxBatchSize = min(configuration.maxBatchSize, configuration.queueCapacity)
        self.configuration = configuration
        self.queue = ExportQueue(capacity: configuration.queueCapacity, byteCapacity: configuration.queueByteCapacity)
        self.httpClient = httpClient
        self.random = random
        self.logger = logger
    }

    /// Queues a finished span for export. Never waits and never fails: when the queue is
    /// full the oldest queued span is dropped (``ExportMetrics/spansDroppedQueueFull``).
    /// Safe from any thread or task.
    public func export(_ span: Span) {
        queue.append(EncodedSpan(span))
    }

    /// Queues a span already serialized (``OTLPSpanEncoder``), as ``export(_:)-(Span)`` does.
    public func export(_ span: EncodedSpan) {
        queue.append(span)
    }

    /// The counters now.
    public var metrics: ExportMetrics {
        var metrics = counters.snapshot
        queue.addCounters(to: &metrics)
        return metrics
    }

    /// Asks ``run()`` to flush the queue — within ``ExportConfiguration/shutdownTimeout``
    /// from now — and return. Returns at once; safe to call more than once.
    public func shutdown() {
        queue.requestShutdown(deadline: .now.advanced(by: configuration.shutdownTimeout))
    }

    /// Batches and sends queued spans until ``shutdown()`` has been called and the queue is
    /// flushed (or its deadline passed). Cancelling the task stops it at once instead,
    /// counting what is still queued as dropped. Spans exported after `run()` returned are
    /// counted as dropped too.
    public func run() async {
        var batcher = ExportBatcherStateMachine(maxBatchSize: configuration.maxBatchSize, flushInterval: configuration.flushInterval)
        let client = httpClient ?? HTTPClient(eventLoopGroupProvider: .singleton, configuration: Self.clientConfiguration(configuration))
        let transport = OTLPHTTPTransport(client: client, endpoint: configuration.endpoint, compression: configuration.compression)
        var encoder = ExportBodyEncoder(resource: configuration.resource, scope: configuration.scope, compression: configuration.compression)
        var spansFields: [UInt8] = []
        logger.debug("span export started", metadata: ["endpoint": "\(configuration.endpoint)"])
        while !Task.isCancelled {
            let (queued, shutdownDeadline) = queue.status
            if let shutdownDeadline { batcher.shutdownRequested(deadline: shutdownDeadline) }
            let action = batcher.nextAction(queued: queued, now: .now)
            switch action {
            case .export(let count):
                spansFields.removeAll(keepingCapacity: true)
                let taken = queue.take(upTo: count, into: &spansFields)
                await send(
                    taken, spansFields: spansFields, encoder: &encoder, through: transport, shutdownDeadline: batcher.drainDeadline)
            case .wait(let wakeAtCount, let deadline):
                await queue.wait(wakeAtCount: wakeAtCount, wakeOnShutdown: true, until: deadline)
            case .finish:
                break
            }
            if action == .finish { break }
        }
        let leftover = queue.stop()
        if leftover > 0 {
            counters.update { $0.spansDroppedAtShutdown += leftover }
            logger.warning("span export stopped with spans unsent", metadata: ["spans": "\(leftover)"])
        }
        if httpClient == nil {
            do { try await client.shutdown() } catch { logger.debug("span export client shutdown failed", metadata: ["error": "\(error)"]) }
        }
        logger.debug("span export stopped")
    }

    /// The exporter's own client: a refused connection fails the request at once (the retry
    /// policy then decides), and connecting is bounded by the export timeout.
    static func clientConfiguration(_ configuration: ExportConfiguration) -> HTTPClient.Configuration {
        var client = HTTPClient.Configuration()
        client.connectionPool.retryConnectionEstablishment = false
        client.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 2
        client.timeout.connect = .nanoseconds(configuration.exportTimeout.nanoseconds)
        return client
    }

    /// Sends one batch of `count` spans (`spansFields`: ``ExportQueue/take(upTo:into:)``),
    /// retrying as the policy allows; every span ends up counted.
    private func send(
        _ count: Int, spansFields: [UInt8], encoder: inout ExportBodyEncoder, through transport: OTLPHTTPTransport,
        shutdownDeadline: Instant?
    ) async {
        guard count > 0 else { return }
        let body = encoder.body(spansFields: spansFields)
        var retry = ExportAttemptStateMachine(policy: configuration.retry, startedAt: .now)
        var shutdownDeadline = shutdownDeadline
        while true {
            let outcome = await attempt(body, through: transport, deadline: .now.advanced(by: configuration.exportTimeout))
            if Task.isCancelled {
                if case .accepted(let rejected) = outcome { exported(count, rejected: rejected) } else {
                    failed(count, reason: "cancelled", outcome: outcome)
                }
                return
            }
            shutdownDeadline = shutdownDeadline ?? queue.status.shutdownDeadline
            var decision = retry.attemptFinished(outcome, now: .now, deadline: shutdownDeadline, random: random())
            while case .retry(let at) = decision, Instant.now < at {
                logger.debug(
                    "span export waiting to retry",
                    metadata: ["outcome": "\(outcome)", "attempt": "\(retry.attempts)", "delay": "\(Instant.now.duration(to: at))"])
                await queue.wait(wakeAtCount: .max, wakeOnShutdown: shutdownDeadline == nil, until: at)
                if Task.isCancelled {
                    failed(count, reason: "cancelled", outcome: outcome)
                    return
                }
                if shutdownDeadline == nil, let deadline = queue.status.shutdownDeadline {
                    shutdownDeadline = deadline
                    decision = retry.shutdownRequested(retryAt: at, deadline: deadline)
                }
            }
            switch decision {
            case .retry:
                counters.update { $0.retries += 1 }
            case .exported(let rejected):
                exported(count, rejected: rejected)
                return
            case .drop(let reason):
                failed(count, reason: "\(reason)", outcome: outcome)
                return
            }
        }
    }

    /// One request, bounded as a whole by `deadline` — or by the shutdown deadline when
    /// shutdown is requested while it is in flight.
    private func attempt(_ body: ByteBuffer, through transport: OTLPHTTPTransport, deadline: Instant) async -> ExportAttemptOutcome {
        await withTaskGroup(of: ExportAttemptOutcome?.self) { group in
            group.addTask { await transport.send(body, deadline: deadline) }
            group.addTask {
                await self.queue.wait(wakeAtCount: .max, wakeOnShutdown: true, until: deadline)
                let end = min(deadline, self.queue.status.shutdownDeadline ?? deadline)
                try? await Task.sleep(until: end, clock: .continuous)
                return Task.isCancelled ? nil : .transportFailed("no answer within the export timeout")
            }
            let outcome = await group.next() ?? nil
            group.cancelAll()
            return outcome ?? .transportFailed("cancelled")
        }
    }

    private func exported(_ count: Int, rejected: Int) {
        let rejected = min(max(rejected, 0), count)
        counters.update {
            $0.batchesExported += 1
            $0.spansExported += count - rejected
            $0.spansRejected += rejected
        }
        if rejected > 0 {
            logger.warning("collector rejected spans", metadata: ["rejected": "\(rejected)", "spans": "\(count)"])
        }
    }

    private func failed(_ count: Int, reason: String, outcome: ExportAttemptOutcome) {
        counters.update {
            $0.batchesFailed += 1
            $0.spansDroppedExportFailed += count
        }
        logger.warning(
            "span batch dropped",
            metadata: ["spans": "\(count)", "reason": "\(reason)", "last_outcome": "\(outcome)", "endpoint": "\(configuration.endpoint)"])
    }
}
