// The floor of the proxy's stack, for `tools/bench/proxy`: the least an HTTP/1.1 proxy on
// SwiftNIO does. Each inbound connection gets one upstream connection of its own, on the
// same event loop; request parts go up and response parts come back as NIOHTTP1 parsed
// them, with nothing added (no routing, no headers, no timeouts, no spans, no Swift
// tasks). Whatever keiro's gateway costs above this is Keiro's; what this costs is
// SwiftNIO's (plus the kernel's).
//
// Usage: NIOFloorProxy LISTEN_PORT UPSTREAM_PORT [EVENT_LOOPS] (ports on 127.0.0.1; event
// loops default to one per core, as keiro's).

import NIOCore
import NIOHTTP1
import NIOPosix

/// Inbound side: forwards each request part to the paired upstream channel.
final class InboundHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let upstreamPort: Int
    private var upstream: (any Channel)?
    /// Parts that arrived before the upstream connection was ready.
    private var waiting: [HTTPClientRequestPart] = []

    init(upstreamPort: Int) {
        self.upstreamPort = upstreamPort
    }

    func channelActive(context: ChannelHandlerContext) {
        let inbound = context.channel
        let loop = context.eventLoop
        ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(UpstreamHandler(inbound: inbound))
                }
            }
            .connect(host: "127.0.0.1", port: upstreamPort)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    self.upstream = channel
                    for part in self.waiting { channel.write(part, promise: nil) }
                    if !self.waiting.isEmpty { channel.flush() }
                    self.waiting = []
                case .failure:
                    inbound.close(promise: nil)
                }
            }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        guard let upstream else { return waiting.append(outbound(part)) }
        forward(part, to: upstream)
    }

    func channelInactive(context: ChannelHandlerContext) {
        upstream?.close(promise: nil)
        context.fireChannelInactive()
    }
}

/// Upstream side: forwards each response part to the inbound channel.
final class UpstreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let inbound: any Channel

    init(inbound: any Channel) {
        self.inbound = inbound
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        forward(unwrapInboundIn(data), to: inbound)
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbound.close(promise: nil)
        context.fireChannelInactive()
    }
}

/// A part as read (body as `ByteBuffer`) in the form the other side writes (`IOData`).
func outbound<Head>(_ part: HTTPPart<Head, ByteBuffer>) -> HTTPPart<Head, IOData> {
    switch part {
    case .head(let head): .head(head)
    case .body(let body): .body(.byteBuffer(body))
    case .end(let trailers): .end(trailers)
    }
}

/// Writes `part` to `channel`, flushing at the message's end.
func forward<Head: Sendable>(_ part: HTTPPart<Head, ByteBuffer>, to channel: any Channel) {
    if case .end = part {
        channel.writeAndFlush(outbound(part), promise: nil)
    } else {
        channel.write(outbound(part), promise: nil)
    }
}

let arguments = CommandLine.arguments
guard (3...4).contains(arguments.count), let listenPort = Int(arguments[1]), let upstreamPort = Int(arguments[2]) else {
    fatalError("usage: NIOFloorProxy LISTEN_PORT UPSTREAM_PORT [EVENT_LOOPS]")
}
let group = arguments.count == 4 ? MultiThreadedEventLoopGroup(numberOfThreads: Int(arguments[3]) ?? 1) : .singleton
let server = try await ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: false)
            try channel.pipeline.syncOperations.addHandler(InboundHandler(upstreamPort: upstreamPort))
        }
    }
    .bind(host: "127.0.0.1", port: listenPort)
    .get()
try await server.closeFuture.get()
