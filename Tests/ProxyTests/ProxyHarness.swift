import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import KeiroModel
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import OTLPWire
import Proxy
import RoutingCore
import ServiceLifecycle
import Synchronization
import Testing

/// Collects every span the proxy finishes, in memory: each as the collector reads what the
/// exporter sends, checked to equal the span built as a model value (the access log's).
final class SpanRecorder: SpanSink {
    private let spans = Mutex<[Span]>([])

    func export(_ span: FinishedSpan) {
        let request = EncodedSpan.otlpRequestBytes(resource: Resource(), scope: InstrumentationScope(), spans: [span.encoded])
        let exported = (try? OTLPProtobufDecoder.decode(request))?.batch.flattened.map(\.span)
        let built = span.span
        #expect(exported == [built], "the exported bytes and the built span differ")
        spans.withLock { $0.append(built) }
    }

    var all: [Span] { spans.withLock { $0 } }

    /// Waits (bounded) until at least `count` spans of `kind` are recorded; returns them in
    /// start order. Spans finish after the response body is written, so a client may see
    /// the response a moment before the spans exist.
    func spans(_ kind: SpanKind, atLeast count: Int, within limit: Duration = .seconds(5)) async throws -> [Span] {
        let deadline = ContinuousClock.now + limit
        while true {
            let found = all.filter { $0.kind == kind }
            if found.count >= count || ContinuousClock.now >= deadline {
                return found.sorted { $0.startTimeUnixNano < $1.startTimeUnixNano }
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

extension Span {
    subscript(attribute key: String) -> AttributeValue? { attributes.first { $0.key == key }?.value }
}

/// A scripted upstream on 127.0.0.1:
/// - `/echo…` answers 200 with the request body, and echoes method, target and request
///   headers (`x-echo-<name>`);
/// - `/flaky…` answers the next status of `script` (then 200);
/// - `/hang…` and `…/hang` never answer (until cancelled);
/// - `/stall…` and `…/stall` send the head and 5 bytes of body, then stall (until cancelled);
/// - `…/slow` answers 200 after 300 ms.
/// Every answer carries `x-backend: <name>`.
final class Backend: Sendable {
    let name: String
    private let script: Mutex<[Int]>
    private let hitCount = Mutex(0)

    init(name: String, script: [Int] = []) {
        self.name = name
        self.script = Mutex(script)
    }

    var hits: Int { hitCount.withLock { $0 } }

    func application(onPort: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        var logger = Logger(label: "keiro.test.backend")
        logger.logLevel = .critical
        return Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in try await self.respond(request) },
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { await onPort($0.localAddress?.port ?? 0) },
            logger: logger)
    }

    private func respond(_ request: Request) async throws -> Response {
        hitCount.withLock { $0 += 1 }
        let path = request.uri.path
        var headers = HTTPFields()
        headers[HTTPField.Name("x-backend")!] = name
        if path.hasPrefix("/hang") || path.hasSuffix("/hang") {
            try await Task.sleep(for: .seconds(30))
            return Response(status: .ok, headers: headers)
        }
        if path.hasPrefix("/stall") || path.hasSuffix("/stall") {
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "start"))
                try await Task.sleep(for: .seconds(30))
                try await writer.finish(nil)
            })
        }
        if path.hasSuffix("/slow") {
            try await Task.sleep(for: .milliseconds(300))
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: "slow done")))
        }
        if path.hasPrefix("/flaky") {
            let status = script.withLock { $0.isEmpty ? 200 : $0.removeFirst() }
            headers[HTTPField.Name("x-echo-attempt-count")!] = request.headers[HTTPField.Name("x-envoy-attempt-count")!] ?? ""
            return Response(status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: "status \(status)")))
        }
        let body = try await request.body.collect(upTo: 1 << 20)
        headers[HTTPField.Name("x-echo-method")!] = request.method.rawValue
        headers[HTTPField.Name("x-echo-target")!] = request.head.path ?? ""
        headers[HTTPField.Name("x-echo-host")!] = request.head.authority ?? ""
        for field in request.headers {
            if let name = HTTPField.Name("x-echo-" + field.name.canonicalName) { headers.append(HTTPField(name: name, value: field.value)) }
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
    }
}

/// A running proxy in front of running backends, and a client to call it.
struct ProxyHarness: Sendable {
    let port: Int
    let client: HTTPClient
    let recorder: SpanRecorder
    /// The running proxy (its metrics).
    let server: ProxyServer
    /// The backends' ports, in the order given.
    let backendPorts: [Int]
    /// Starts the proxy's graceful shutdown (as SIGTERM would) and returns at once.
    let shutdown: @Sendable () async -> Void

    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: String
    }

    func send(
        _ target: String, method: HTTPMethod = .GET, headers: [(String, String)] = [], body: String? = nil
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(target)")
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }
}

/// Starts `backends` on free ports, a proxy whose routes come from `routes(ports)` (YAML,
/// one route set; written to `configFile` first when given), runs `body`, then shuts the
/// proxy down gracefully and stops the backends. `configure` adjusts the settings.
func withProxy<T: Sendable>(
    backends: [Backend],
    collector: String? = nil,
    configFile: String? = nil,
    configure: @Sendable (inout ProxyConfiguration) -> Void = { _ in },
    routes: @Sendable ([Int]) -> String,
    _ body: @Sendable (ProxyHarness) async throws -> T
) async throws -> T {
    var logger = Logger(label: "keiro.test.proxy")
    logger.logLevel = .critical
    return try await withThrowingTaskGroup(of: Void.self) { backendTasks in
        var ports: [Int] = []
        for backend in backends {
            let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
            backendTasks.addTask {
                defer { continuation.finish() }
                try await backend.application { continuation.yield($0) }.run()
            }
            var iterator = stream.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            ports.append(port)
        }
        defer { backendTasks.cancelAll() }
        let config: RouteConfig
        if let configFile {
            try routes(ports).write(toFile: configFile, atomically: true, encoding: .utf8)
            config = try ConfigLoader.load(paths: [configFile])
        } else {
            config = try ConfigLoader.load(yaml: routes(ports), name: "test.yaml")
        }
        let recorder = SpanRecorder()
        let (proxyPorts, proxyContinuation) = AsyncStream.makeStream(of: Int.self)
        var configuration = ProxyConfiguration(routeSets: config.routeSets, port: 0, collector: collector)
        configure(&configuration)
        let proxy = try ProxyServer(
            configuration: configuration, spanSink: recorder, onServerRunning: { proxyContinuation.yield($0) }, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [proxy], logger: logger))
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let result: Result<T, any Error> = await withThrowingTaskGroup(of: Void.self) { proxyTasks in
            proxyTasks.addTask {
                defer { proxyContinuation.finish() }
                try await group.run()
            }
            var iterator = proxyPorts.makeAsyncIterator()
            guard let port = await iterator.next() else { return .failure(CancellationError()) }
            let result: Result<T, any Error>
            do {
                result = .success(try await body(ProxyHarness(
                    port: port, client: client, recorder: recorder, server: proxy, backendPorts: ports,
                    shutdown: { await group.triggerGracefulShutdown() })))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            do { try await proxyTasks.waitForAll() } catch { return .failure(error) }
            return result
        }
        try await client.shutdown()
        return try result.get()
    }
}

/// The gateway config the tests share: `main` and `pr` backends, a refused port, and
/// `resetPort` (a server that closes every connection; default: the refused port).
@Sendable func gatewayRoutes(_ ports: [Int]) -> String { gatewayRoutes(ports, resetPort: 1) }

@Sendable func gatewayRoutes(_ ports: [Int], resetPort: Int) -> String {
    """
    kind: Gateway
    routes:
      - name: flaky
        match: { pathPrefix: /flaky }
        targetGroup: main
        retries: { attempts: 2, retryOn: "5xx,connect-failure" }
      - name: hang
        match: { pathPrefix: /hang }
        targetGroup: main
        timeout: 700ms
        retries: { attempts: 2, perTryTimeout: 250ms, retryOn: "5xx" }
      - name: refused
        match: { pathPrefix: /refused }
        targetGroup: dead
        retries: { attempts: 2, retryOn: "connect-failure" }
      - name: reset
        match: { pathPrefix: /reset }
        targetGroup: reset
        retries: { attempts: 1, retryOn: "reset" }
      - name: timed
        match: { pathPrefix: /timed }
        targetGroup: main
        timeout: 5s
        retries: { attempts: 2, perTryTimeout: 3s, retryOn: "5xx" }
      - name: stall
        match: { pathPrefix: /stall }
        targetGroup: main
        timeout: 400ms
        retries: { attempts: 1, perTryTimeout: 300ms, retryOn: "5xx" }
      - name: split
        match: { pathPrefix: /split }
        targetGroup: split
      - name: sticky
        match: { pathPrefix: /sticky }
        targetGroup: split
        stickiness: { header: x-user-id }
      - name: pr-route
        match: { pathPrefix: /echo, headers: { service-router-svca-demo: svca-pr1.demo } }
        targetGroup: pr
      - name: echo
        match: { pathPrefix: /echo }
        targetGroup: main
    targetGroups:
      main: [ { name: main, targets: ["127.0.0.1:\(ports[0])"] } ]
      pr: [ { name: pr1, targets: ["127.0.0.1:\(ports.count > 1 ? ports[1] : ports[0])"] } ]
      split:
        - { name: primary, weight: 90, targets: ["127.0.0.1:\(ports[0])"] }
        - { name: canary, weight: 10, targets: ["127.0.0.1:\(ports.count > 1 ? ports[1] : ports[0])"] }
      reset: [ { name: reset, targets: ["127.0.0.1:\(resetPort)"] } ]
      dead: [ { name: dead, targets: ["127.0.0.1:1"] } ]
    """
}

/// A TCP server on 127.0.0.1 that closes each connection as soon as a request arrives
/// (an upstream reset before the response). Closed when `body` returns.
func withResettingServer<T: Sendable>(_ body: @Sendable (Int) async throws -> T) async throws -> T {
    try await withTCPServer(closingOnRead: true, body)
}

/// A TCP server on 127.0.0.1 that accepts connections and either closes each one when a
/// request arrives (`closingOnRead`) or reads and never answers. Closed when `body` returns.
func withTCPServer<T: Sendable>(closingOnRead: Bool, _ body: @Sendable (Int) async throws -> T) async throws -> T {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(closingOnRead ? CloseOnRead() as any ChannelHandler : DiscardReads())
            }
        }
        .bind(host: "127.0.0.1", port: 0).get()
    let result: Result<T, any Error>
    do { result = .success(try await body(channel.localAddress?.port ?? 0)) } catch { result = .failure(error) }
    try await channel.close()
    return try result.get()
}

private final class DiscardReads: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}

private final class CloseOnRead: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    func channelRead(context: ChannelHandlerContext, data: NIOAny) { context.close(promise: nil) }
}
