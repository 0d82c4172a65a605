import NIOCore
import NIOPosix
import Proxy
import Synchronization
import Testing

/// The proxy's own HTTP/1.1 server (``ProxyConnectionHandler``) over raw sockets: what a
/// client library would hide — pipelining, framing of local answers, closing.
@Suite("Proxy connections", .timeLimit(.minutes(1)))
struct ProxyConnectionTests {
    @Test("pipelined requests are answered in order; Connection: close ends the connection after its response")
    func pipelinedRequestsInOrder() async throws {
        try await withProxy(backends: [Backend(name: "main")], routes: gatewayRoutes) { proxy in
            let connection = try await RawConnection(port: proxy.port)
            // Three requests in one write: the first answers after 300 ms, the last asks to close.
            connection.send(
                "GET /echo/slow HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "POST /echo/second HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                    + "GET /nowhere HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            let text = try await connection.closed()
            let slow = try #require(text.range(of: "slow done"))
            let second = try #require(text.range(of: "x-echo-target: /echo/second"))
            let hello = try #require(text.range(of: "hello", range: second.upperBound..<text.endIndex))
            let notFound = try #require(text.range(of: "HTTP/1.1 404 Not Found"))
            #expect(slow.upperBound < second.lowerBound && hello.upperBound <= notFound.lowerBound, "\(text)")
            #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
            #expect(text.components(separatedBy: "server: keiro").count == 4)
            #expect(text.components(separatedBy: "date: ").count == 4)
            // Only the last answer says it closes.
            #expect(text.components(separatedBy: "connection: close").count == 2)
        }
    }

    @Test("after a large body nobody reads (no route), the next request on the connection is still answered")
    func unreadStreamedBodyThenNextRequest() async throws {
        try await withProxy(backends: [Backend(name: "main")], routes: gatewayRoutes) { proxy in
            let connection = try await RawConnection(port: proxy.port)
            let large = String(repeating: "x", count: 300 * 1024)  // over the retry buffer: streamed
            connection.send("POST /nowhere HTTP/1.1\r\nHost: a\r\nContent-Length: \(large.utf8.count)\r\n\r\n" + large)
            connection.send("GET /echo/next HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            let text = try await connection.closed()
            let notFound = try #require(text.range(of: "HTTP/1.1 404 Not Found"))
            let next = try #require(text.range(of: "x-echo-target: /echo/next"))
            #expect(notFound.upperBound < next.lowerBound)
        }
    }

    @Test("a malformed request gets 400 and the connection closes")
    func malformedRequest() async throws {
        try await withProxy(backends: [Backend(name: "main")], routes: gatewayRoutes) { proxy in
            let connection = try await RawConnection(port: proxy.port)
            connection.send("GET /echo HTTP/1.1\r\nHost a\r\n\r\n")
            let text = try await connection.closed()
            #expect(text.hasPrefix("HTTP/1.1 400 Bad Request"))
            #expect(proxy.recorder.all.isEmpty)
        }
    }

    @Test("HTTP/1.0 keep-alive is answered as such; graceful shutdown closes an idle connection")
    func keepAliveAndShutdown() async throws {
        try await withProxy(backends: [Backend(name: "main")], routes: gatewayRoutes) { proxy in
            let connection = try await RawConnection(port: proxy.port)
            connection.send("GET /echo/a HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n")
            #expect(await connection.wait { $0.contains("x-echo-target: /echo/a") && $0.contains("connection: keep-alive") })
            #expect(!connection.isClosed)
            await proxy.shutdown()
            let text = try await connection.closed()
            #expect(text.hasPrefix("HTTP/1.0 200 OK"))
        }
    }

    @Test("a caller that goes away before its whole body arrived is recorded as DC, and nothing goes upstream")
    func callerGoneMidBody() async throws {
        let main = Backend(name: "main")
        try await withProxy(backends: [main], routes: gatewayRoutes) { proxy in
            let connection = try await RawConnection(port: proxy.port)
            connection.send("POST /echo/partial HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly ten b")
            try await Task.sleep(for: .milliseconds(50))
            try await connection.close()
            let server = try #require(try await proxy.recorder.spans(.server, atLeast: 1).first)
            #expect(server[attribute: "keiro.response_flags"] == .string("DC"))
            #expect(server[attribute: "error.type"] == .string("request_body"))
            #expect(main.hits == 0)
        }
    }
}

/// A plain TCP client: sends raw bytes, collects everything the server sends back.
final class RawConnection: Sendable {
    private let channel: any Channel
    private let collector = Collector()

    init(port: Int) async throws {
        let collector = collector
        channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port).get()
    }

    func send(_ text: String) {
        channel.writeAndFlush(ByteBuffer(string: text), promise: nil)
    }

    var isClosed: Bool { !channel.isActive }

    /// Waits (bounded) until what was received satisfies `condition`.
    func wait(within limit: Duration = .seconds(5), for condition: (String) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if condition(collector.text) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    /// Waits until the server closes the connection (recording an issue if it has not
    /// within `limit`, and closing it then); returns all it sent.
    func closed(within limit: TimeAmount = .seconds(5)) async throws -> String {
        let timeout = channel.eventLoop.scheduleTask(in: limit) { [channel] in channel.close(promise: nil) }
        try? await channel.closeFuture.get()
        timeout.cancel()
        if (try? await timeout.futureResult.get()) != nil { Issue.record("the server did not close the connection") }
        return collector.text
    }

    func close() async throws { try await channel.close() }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        private let received = Mutex("")
        var text: String { received.withLock { $0 } }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let text = String(buffer: unwrapInboundIn(data))
            received.withLock { $0 += text }
        }
    }
}
