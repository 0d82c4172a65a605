import CompressNIO
import Hummingbird
import Logging
import NIOCore
import OTLPWire
import ServiceLifecycle
import Synchronization

/// A stand-in OTLP/HTTP receiver on 127.0.0.1 that answers `POST /v1/traces` from a script
/// (request number → reply) and records what it received.
struct StubCollector: Sendable {
    /// How the stub answers one request.
    struct Reply: Sendable {
        var status: HTTPResponse.Status = .ok
        var retryAfter: String?
        var rejectedSpans: Int64 = 0
        /// How long the stub takes before answering (a hung or slow collector).
        var delay: Duration = .zero
    }

    /// One request as received.
    struct Received: Sendable {
        var at: ContinuousClock.Instant
        var contentType: String?
        var contentEncoding: String?
        /// Spans in the (decompressed, decoded) body; -1 if it did not decode.
        var spanCount: Int
        var serviceName: String?
    }

    let port: Int
    private let log: ReceivedLog

    var url: String { "http://127.0.0.1:\(port)" }
    var received: [Received] { log.entries.withLock { $0 } }

    fileprivate init(port: Int, log: ReceivedLog) {
        self.port = port
        self.log = log
    }
}

/// The requests a stub received, shared with its route handler.
final class ReceivedLog: Sendable {
    let entries = Mutex<[StubCollector.Received]>([])
}

/// Runs `body` with a stub collector answering request `n` (0-based) with `script(n)`.
func withStubCollector<T: Sendable>(
    _ script: @escaping @Sendable (Int) -> StubCollector.Reply,
    _ body: @Sendable (StubCollector) async throws -> T
) async throws -> T {
    let log = ReceivedLog()
    let router = Router()
    router.post("/v1/traces") { request, _ -> Response in
        var compressed = try await request.body.collect(upTo: 16 << 20)
        let encoding = request.headers[.contentEncoding]
        var spanCount = -1
        var serviceName: String?
        if let inflated = encoding == "gzip" ? try? compressed.decompress(with: .gzip(), maxSize: 64 << 20) : compressed,
            let decoded = try? OTLPProtobufDecoder.decode(Array(inflated.readableBytesView))
        {
            spanCount = decoded.batch.spanCount
            serviceName = decoded.batch.resourceSpans.first?.resource.serviceName
        }
        let index = log.entries.withLock { log in
            log.append(.init(at: .now, contentType: request.headers[.contentType], contentEncoding: encoding,
                             spanCount: spanCount, serviceName: serviceName))
            return log.count - 1
        }
        let reply = script(index)
        if reply.delay > .zero { try? await Task.sleep(for: reply.delay) }
        var headers: HTTPFields = [.contentType: "application/x-protobuf"]
        if let retryAfter = reply.retryAfter { headers[.retryAfter] = retryAfter }
        var message = OTLPExportResponse()
        if reply.rejectedSpans > 0 {
            message.partialSuccess.rejectedSpans = reply.rejectedSpans
            message.partialSuccess.errorMessage = "rejected by the stub"
        }
        let bytes: [UInt8] = reply.status == .ok ? try message.serializedBytes() : []
        return Response(status: reply.status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
    var logger = Logger(label: "keiro.test.stub-collector")
    logger.logLevel = .critical
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let app = Application(
        router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
    let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [app], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask {
            defer { portContinuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        let result: Result<T, any Error>
        do { result = .success(try await body(StubCollector(port: port, log: log))) } catch { result = .failure(error) }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return try result.get()
    }
}
