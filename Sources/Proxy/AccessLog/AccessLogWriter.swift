import KeiroModel
import Logging
import NIOPosix
import RoutingCore
import Synchronization

/// Writes the edge's ALB-format access log (one ``ALBLogEntry`` line per request) from its
/// spans, off the request path: ``export(_:)`` only offers the span to a bounded buffer —
/// when it is full the span is dropped and counted, never waited for — and ``run()``
/// pairs each SERVER span with the CLIENT span of its last try, formats the line and
/// writes it in batches on NIO's blocking-I/O thread pool. Files rotate every
/// `rotateSeconds` (or at `rotateBytes`) and are gzipped (``AccessLogFile``).
public final class AccessLogWriter: SpanSink {
    /// Most spans waiting for the writer. Default 16,384.
    public static let defaultCapacity = 16_384

    /// The settings the writer was created with.
    public let settings: AccessLogSettings
    private let loadBalancer: String
    private let address: String
    private let input: AsyncStream<Input>
    private let continuation: AsyncStream<Input>.Continuation
    private let counters = Mutex(AccessLogMetrics())
    private let logger: Logger

    private enum Input: Sendable {
        /// Built into a ``Span`` by ``run()``, off the request's thread.
        case span(FinishedSpan)
        case tick
    }

    /// - Parameters:
    ///   - loadBalancerName: The `elb` field is `app/{name}/{id}` (the proxy's service name).
    ///   - address: The listen address, part of each file name.
    public init(
        settings: AccessLogSettings, loadBalancerName: String, address: String, capacity: Int = AccessLogWriter.defaultCapacity,
        logger: Logger = Logger(label: "keiro.access-log")
    ) {
        self.settings = settings
        loadBalancer = ALBLogEntry.loadBalancerID(name: loadBalancerName)
        self.address = address
        (input, continuation) = AsyncStream.makeStream(of: Input.self, bufferingPolicy: .bufferingOldest(capacity))
        self.logger = logger
    }

    /// Offers a finished span; SERVER spans become lines, CLIENT spans give them their
    /// target. Never waits.
    public func export(_ span: FinishedSpan) {
        guard span.kind == .server || span.kind == .client else { return }
        switch continuation.yield(.span(span)) {
        case .dropped where span.kind == .server, .terminated where span.kind == .server:
            counters.withLock { $0.linesDropped += 1 }
        default:
            break
        }
    }

    /// Counters now.
    public var metrics: AccessLogMetrics { counters.withLock { $0 } }

    /// Makes ``run()`` write what is buffered, close the file and return.
    public func finish() {
        continuation.finish()
    }

    /// Writes until ``finish()``; then finishes the current file.
    public func run() async {
        var state = WriterState(settings: settings, loadBalancer: loadBalancer, address: address)
        await withTaskGroup(of: Void.self) { group in
            let continuation = continuation
            group.addTask {
                while (try? await Task.sleep(for: .seconds(1))) != nil { continuation.yield(.tick) }
            }
            for await input in self.input {
                switch input {
                case .span(let span):
                    guard let line = state.add(span.span) else { continue }
                    counters.withLock { $0.lines += 1 }
                    state.pending += Array((line + "\n").utf8)
                    if state.pending.count >= 64 * 1024 { state = await flush(state, finishing: false) }
                case .tick:
                    state = await flush(state, finishing: false)
                }
            }
            group.cancelAll()
        }
        _ = await flush(state, finishing: true)
    }

    /// Writes pending lines, rotating first when the file is due; `finishing` closes it.
    private func flush(_ state: WriterState, finishing: Bool) async -> WriterState {
        let (settings, logger) = (settings, logger)
        do {
            return try await NIOThreadPool.singleton.runIfActive {
                var state = state
                do {
                    try state.write(settings: settings, finishing: finishing) { path in
                        self.counters.withLock { $0.files += 1 }
                        logger.debug("access log file written", metadata: ["path": "\(path)"])
                    }
                } catch {
                    self.counters.withLock { $0.writeErrors += 1 }
                    logger.error("access log write failed", metadata: ["error": "\(error)"])
                }
                return state
            }
        } catch {
            counters.withLock { $0.writeErrors += 1 }
            logger.error("access log thread pool unavailable", metadata: ["error": "\(error)"])
            return state
        }
    }
}

/// The writer task's state: lines not yet written, the open file, and the CLIENT spans
/// waiting for their SERVER span.
private struct WriterState: Sendable {
    let settings: AccessLogSettings
    let loadBalancer: String
    let address: String
    var pending: [UInt8] = []
    var file: AccessLogFile?
    /// Last try's CLIENT span by its parent (the SERVER span), until that one arrives.
    var clients: [SpanID: Span] = [:]

    init(settings: AccessLogSettings, loadBalancer: String, address: String) {
        self.settings = settings
        self.loadBalancer = loadBalancer
        self.address = address
    }

    /// The line for a SERVER span; a CLIENT span is kept for its SERVER span.
    mutating func add(_ span: Span) -> String? {
        if span.kind == .client {
            // A SERVER span is exported after its CLIENT spans; a dropped one leaves an orphan.
            if clients.count >= 65_536 { clients.removeAll() }
            if let parent = span.parentSpanID { clients[parent] = span }
            return nil
        }
        let client = clients.removeValue(forKey: span.spanID)
        return ALBLogEntry.record(server: span, client: client, loadBalancer: loadBalancer).line
    }

    /// Appends the pending lines, rotating whenever the file is due (`rotateSeconds`
    /// passed, or `rotateBytes` reached — checked after each line that crosses it);
    /// `finishing` closes the file. On failure the lines not written are lost (and the
    /// caller counts a write error).
    mutating func write(settings: AccessLogSettings, finishing: Bool, finished: (String) -> Void) throws {
        let now = unixNanosNow()
        var data = pending[...]
        pending.removeAll(keepingCapacity: true)
        while true {
            if let open = file, finishing && data.isEmpty || isDue(open, now: now) {
                file = nil
                if let path = try open.finish(gzip: settings.gzip, now: now) { finished(path) }
            }
            guard !data.isEmpty else { return }
            var open = try file ?? AccessLogFile(directory: settings.directory, loadBalancer: loadBalancer, address: address, now: now)
            var count = data.count
            if let limit = settings.rotateBytes, limit - open.bytes < count {
                // Up to the end of the line that reaches the limit.
                let from = data.startIndex + max(0, limit - open.bytes - 1)
                count = (data[from...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? data.endIndex) - data.startIndex
            }
            file = open
            try open.append(Array(data.prefix(count)))
            file = open
            data = data.dropFirst(count)
        }
    }

    private func isDue(_ file: AccessLogFile, now: UInt64) -> Bool {
        file.openedAtNanos + UInt64(settings.rotateSeconds) * 1_000_000_000 <= now
            || settings.rotateBytes.map { file.bytes >= $0 } == true
    }
}

/// Access log counters since the writer started.
public struct AccessLogMetrics: Sendable, Hashable {
    /// Lines formatted for writing.
    public var lines = 0
    /// Requests with no line because the buffer was full (or the writer had stopped).
    public var linesDropped = 0
    /// Files finished (renamed or gzipped).
    public var files = 0
    /// Failed file operations (logged).
    public var writeErrors = 0

    /// All zero.
    public init() {}
}
