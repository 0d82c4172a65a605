import AsyncHTTPClient
import Collector
import CompressNIO
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Store

/// A collector listening on 127.0.0.1 (a free port) with a fresh SQLite file, and an HTTP
/// client to talk to it over real sockets.
public struct RunningCollector: Sendable {
    public let collector: Collector
    public let port: Int
    public let client: HTTPClient

    public var store: SQLiteSpanStore { collector.store }
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// An HTTP exchange's result.
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: [UInt8]

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// POSTs `body` to `path` with the given headers.
    public func post(_ path: String, body: [UInt8], headers: [String: String]) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await execute(request)
    }

    /// GETs `path`.
    public func get(_ path: String) async throws -> Reply {
        try await execute(HTTPClientRequest(url: baseURL + path))
    }

    private func execute(_ request: HTTPClientRequest) async throws -> Reply {
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Reply(
            status: Int(response.status.code),
            headers: Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { $1 }),
            body: Array(body.readableBytesView))
    }
}

/// Runs `body` against a live collector on a fresh database; shuts the collector down
/// gracefully (draining the store) afterwards, whether `body` succeeds or throws.
public func withRunningCollector<T: Sendable>(
    configure: @Sendable (inout CollectorConfiguration) -> Void = { _ in },
    _ body: @Sendable (RunningCollector) async throws -> T
) async throws -> T {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    var configuration = CollectorConfiguration(port: 0, store: StoreConfiguration(path: directory.file("spans.sqlite")))
    configure(&configuration)
    var logger = Logger(label: "keiro.test.collector")
    logger.logLevel = .critical
    let collector = try Collector(configuration: configuration, logger: logger)
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let group = ServiceGroup(
        configuration: ServiceGroupConfiguration(services: [collector.application { portContinuation.yield($0) }], logger: logger))
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask {
            defer { portContinuation.finish() }  // a server that fails to start ends the wait for its port
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        let result: Result<T, any Error>
        do {
            result = .success(try await body(RunningCollector(collector: collector, port: port, client: client)))
        } catch {
            result = .failure(error)
        }
        try await client.shutdown()
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return try result.get()
    }
}

/// gzip-compresses bytes (as OTLP exporters do).
public func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
    var buffer = ByteBuffer(bytes: bytes)
    let compressed = try buffer.compress(with: .gzip())
    return Array(compressed.readableBytesView)
}
