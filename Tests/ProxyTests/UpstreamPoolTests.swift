import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing

@Suite("Upstream connection pool", .timeLimit(.minutes(1)))
struct UpstreamPoolTests {
    @Test("keep-alive upstream connections are reused; a Connection: close answer is not")
    func connectionsAreReused() async throws {
        try await withCountingUpstream { upstream in
            try await withProxy(backends: [], routes: { _ in stubRoutes(port: upstream.port) }) { proxy in
                for _ in 0..<20 {
                    let reply = try await proxy.send("/small")
                    #expect(reply.status == 200)
                    #expect(reply.body == "ok")
                }
                #expect(upstream.connections == 1)
                for _ in 0..<3 {
                    let reply = try await proxy.send("/close")
                    #expect(reply.status == 200)
                    #expect(reply.body == "bye")
                }
                // Each /close came on a connection of its own (the first on the pooled one),
                // and the next request needs a new one again.
                let reply = try await proxy.send("/small")
                #expect(reply.body == "ok")
                #expect(upstream.connections == 4)
                #expect(upstream.requests == 24)
            }
        }
    }

    @Test("hop-by-hop response headers, and those the upstream's Connection names, are not relayed")
    func responseHopByHopHeaders() async throws {
        try await withCountingUpstream { upstream in
            try await withProxy(backends: [], routes: { _ in stubRoutes(port: upstream.port) }) { proxy in
                let reply = try await proxy.send("/hop")
                #expect(reply.status == 200)
                #expect(reply.body == "ok")
                #expect(reply.headers.first(name: "x-kept") == "1")
                #expect(reply.headers.first(name: "x-secret") == nil)
                #expect(reply.headers.first(name: "keep-alive") == nil)
                #expect(reply.headers.first(name: "content-length") == "2")
                #expect(reply.headers.first(name: "x-envoy-upstream-service-time") != nil)
                #expect(reply.headers.first(name: "server") == "keiro")
                #expect(reply.headers.first(name: "date")?.hasSuffix(" GMT") == true)
                // A local reply carries them too.
                let local = try await proxy.send("/nothing", headers: [("host", "unknown.example")])
                #expect(local.headers.first(name: "server") == "keiro")
                #expect(local.headers.first(name: "date")?.hasSuffix(" GMT") == true)
            }
        }
    }

    @Test("a body arriving over many reads streams back whole and is recorded")
    func streamedResponseBody() async throws {
        try await withCountingUpstream { upstream in
            try await withProxy(backends: [], routes: { _ in stubRoutes(port: upstream.port) }) { proxy in
                for _ in 0..<2 {
                    let reply = try await proxy.send("/big")
                    #expect(reply.status == 200)
                    #expect(reply.body.utf8.count == CountingUpstream.bigChunks * CountingUpstream.chunk.count)
                    #expect(reply.body == String(repeating: CountingUpstream.chunk, count: CountingUpstream.bigChunks))
                }
                #expect(upstream.connections == 1)
                let servers = try await proxy.recorder.spans(.server, atLeast: 2)
                #expect(servers.allSatisfy {
                    $0[attribute: "http.response.body.size"] == .int(Int64(CountingUpstream.bigChunks * CountingUpstream.chunk.count))
                })
            }
        }
    }
}

private func stubRoutes(port: Int) -> String {
    """
    kind: Gateway
    routes:
      - name: stub
        match: { pathPrefix: / }
        targetGroup: stub
    targetGroups:
      stub:
        - { name: stub, weight: 100, targets: ["127.0.0.1:\(port)"] }
    """
}

/// A plain NIO HTTP/1.1 upstream on 127.0.0.1 that counts the connections it accepts:
/// `/small` answers `ok`, `/close` answers `bye` with `Connection: close` and closes,
/// `/big` streams ``bigChunks`` × ``chunk`` in separate flushed writes, `/hop` answers `ok`
/// with hop-by-hop headers (`Connection: keep-alive, X-Secret`).
struct CountingUpstream: Sendable {
    static let chunk = String(repeating: "0123456789abcdef", count: 1024)  // 16 KiB
    static let bigChunks = 40
    let port: Int
    private let counters: Counters

    final class Counters: Sendable {
        let connections = Atomic(0)
        let requests = Atomic(0)
    }

    var connections: Int { counters.connections.load(ordering: .relaxed) }
    var requests: Int { counters.requests.load(ordering: .relaxed) }

    fileprivate init(port: Int, counters: Counters) {
        self.port = port
        self.counters = counters
    }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let counters: Counters
        var path = ""

        init(counters: Counters) { self.counters = counters }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): path = head.uri
            case .body: break
            case .end:
                counters.requests.add(1, ordering: .relaxed)
                respond(context: context)
            }
        }

        private func respond(context: ChannelHandlerContext) {
            var headers = HTTPHeaders()
            switch path {
            case "/big":
                headers.add(name: "content-length", value: String(CountingUpstream.bigChunks * CountingUpstream.chunk.count))
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                for _ in 0..<CountingUpstream.bigChunks {
                    context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: CountingUpstream.chunk)))), promise: nil)
                }
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            case "/close":
                headers.add(name: "content-length", value: "3")
                headers.add(name: "connection", value: "close")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "bye")))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            default:
                if path == "/hop" {
                    headers.add(name: "Connection", value: "keep-alive, X-Secret")
                    headers.add(name: "Keep-Alive", value: "timeout=5")
                    headers.add(name: "X-Secret", value: "1")
                    headers.add(name: "X-Kept", value: "1")
                }
                headers.add(name: "content-length", value: "2")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "ok")))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}

/// Runs `body` with a ``CountingUpstream`` listening, then closes it.
func withCountingUpstream<T: Sendable>(_ body: (CountingUpstream) async throws -> T) async throws -> T {
    let counters = CountingUpstream.Counters()
    let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
            counters.connections.add(1, ordering: .relaxed)
            return channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                try channel.pipeline.syncOperations.addHandler(CountingUpstream.Handler(counters: counters))
            }
        }
        .bind(host: "127.0.0.1", port: 0).get()
    let result: Result<T, any Error>
    do {
        result = .success(try await body(CountingUpstream(port: server.localAddress?.port ?? 0, counters: counters)))
    } catch {
        result = .failure(error)
    }
    try? await server.close()
    return try result.get()
}
