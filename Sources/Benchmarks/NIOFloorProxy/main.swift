// The floors of the proxy's stack, for `tools/bench/proxy`: the least a proxy on SwiftNIO
// does. Each inbound connection gets one upstream connection of its own, on the same event
// loop, and what one side reads the other writes, with nothing added (no routing, no
// headers, no timeouts, no spans, no Swift tasks).
//
// - `http` mode: an HTTP/1.1 relay. Request parts go up and response parts come back as
//   NIOHTTP1 parsed them. Whatever keiro's gateway costs above this is Keiro's.
// - `tcp` mode: a byte relay, no HTTP parsing at all: what SwiftNIO's channels and the
//   kernel's sockets cost before any proxy reads a header.
// - `lean` mode: the least a hand-written HTTP/1.1 codec would do: each message's head is
//   split into lines and header fields in place (no strings), written again without the
//   hop-by-hop fields plus one added field, and relayed with its `content-length` body
//   (nothing else is supported: no chunked bodies, no validation). What an own codec on
//   SwiftNIO's channels could cost at best.
//
// Usage: NIOFloorProxy LISTEN_PORT UPSTREAM_PORT [http|tcp|lean] [EVENT_LOOPS] (ports on
// 127.0.0.1; `http` by default; event loops default to one per core, as keiro's).

import NIOCore
import NIOHTTP1
import NIOPosix

/// How one relay mode reads and writes: the pipelines of both sides and what to forward.
/// Each side flushes what it wrote at the end of the other side's read burst.
struct RelayMode<Request, Response, Up: Sendable, Down: Sendable>: Sendable {
    /// Adds the handlers that come before the relay's own to an inbound connection.
    var configureInbound: @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void
    /// Adds the handlers that come before the relay's own to an upstream connection.
    var configureUpstream: @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void
    /// What the upstream side writes for a request read on the inbound side.
    var forwardRequest: @Sendable (Request) -> Up
    /// What the inbound side writes for a response read on the upstream side.
    var forwardResponse: @Sendable (Response) -> Down
}

/// Inbound side: forwards what it reads to the paired upstream channel.
final class InboundHandler<Request, Response, Up: Sendable, Down: Sendable>: ChannelInboundHandler {
    typealias InboundIn = Request

    private let mode: RelayMode<Request, Response, Up, Down>
    private let upstreamPort: Int
    private var upstream: (any Channel)?
    /// Reads that arrived before the upstream connection was ready.
    private var waiting: [Up] = []

    init(mode: RelayMode<Request, Response, Up, Down>, upstreamPort: Int) {
        self.mode = mode
        self.upstreamPort = upstreamPort
    }

    func channelActive(context: ChannelHandlerContext) {
        let inbound = context.channel
        let mode = mode
        ClientBootstrap(group: context.eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try mode.configureUpstream(channel.pipeline.syncOperations)
                    try channel.pipeline.syncOperations.addHandler(UpstreamHandler(mode: mode, inbound: inbound))
                }
            }
            .connect(host: "127.0.0.1", port: upstreamPort)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    self.upstream = channel
                    for data in self.waiting { channel.write(data, promise: nil) }
                    if !self.waiting.isEmpty { channel.flush() }
                    self.waiting = []
                case .failure:
                    inbound.close(promise: nil)
                }
            }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let forwarded = mode.forwardRequest(unwrapInboundIn(data))
        guard let upstream else { return waiting.append(forwarded) }
        upstream.write(forwarded, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        upstream?.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        upstream?.close(promise: nil)
        context.fireChannelInactive()
    }
}

/// Upstream side: forwards what it reads to the inbound channel.
final class UpstreamHandler<Request, Response, Up: Sendable, Down: Sendable>: ChannelInboundHandler {
    typealias InboundIn = Response

    private let mode: RelayMode<Request, Response, Up, Down>
    private let inbound: any Channel

    init(mode: RelayMode<Request, Response, Up, Down>, inbound: any Channel) {
        self.mode = mode
        self.inbound = inbound
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inbound.write(mode.forwardResponse(unwrapInboundIn(data)), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        inbound.flush()
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

let http = RelayMode<HTTPServerRequestPart, HTTPClientResponsePart, HTTPClientRequestPart, HTTPServerResponsePart>(
    configureInbound: { try $0.configureHTTPServerPipeline(withPipeliningAssistance: false) },
    configureUpstream: { try $0.addHTTPClientHandlers() },
    forwardRequest: { outbound($0) },
    forwardResponse: { outbound($0) }
)
let tcp = RelayMode<ByteBuffer, ByteBuffer, ByteBuffer, ByteBuffer>(
    configureInbound: { _ in },
    configureUpstream: { _ in },
    forwardRequest: { $0 },
    forwardResponse: { $0 }
)

let lean = RelayMode<ByteBuffer, ByteBuffer, ByteBuffer, ByteBuffer>(
    configureInbound: { try $0.addHandler(ByteToMessageHandler(LeanMessageDecoder())) },
    configureUpstream: { try $0.addHandler(ByteToMessageHandler(LeanMessageDecoder())) },
    forwardRequest: { $0 },
    forwardResponse: { $0 }
)

/// Splits each HTTP/1.1 message into its head's fields in place, and passes on the message
/// written again: start line, every field but the hop-by-hop ones, one added field, the
/// `content-length` body. A floor for a hand-written codec, not a parser to trust.
struct LeanMessageDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    /// Header fields of the current head: name and value offsets from the head's start.
    private var fields: [(name: Range<Int>, value: Range<Int>)] = []

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        var fields = self.fields
        fields.removeAll(keepingCapacity: true)
        defer { self.fields = fields }
        let head: (startLine: Range<Int>, length: Int, bodyLength: Int)? = buffer.withUnsafeReadableBytes { bytes in
            var lineStart = 0, startLine: Range<Int>? = nil, bodyLength = 0
            var index = 0
            while index + 1 < bytes.count {
                guard bytes[index] == UInt8(ascii: "\r"), bytes[index + 1] == UInt8(ascii: "\n") else { index += 1; continue }
                let line = lineStart..<index
                index += 2
                lineStart = index
                if line.isEmpty { return startLine.map { ($0, index, bodyLength) } }
                guard startLine != nil else { startLine = line; continue }
                guard let colon = bytes[line].firstIndex(of: UInt8(ascii: ":")) else { continue }
                var valueStart = colon + 1
                while valueStart < line.upperBound, bytes[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
                let name = line.lowerBound..<colon, value = valueStart..<line.upperBound
                if name.count == 14, Self.equalsLowercased(bytes[name], "content-length") {
                    bodyLength = bytes[value].reduce(0) { $0 * 10 + Int($1 &- UInt8(ascii: "0")) }
                }
                fields.append((name, value))
            }
            return nil
        }
        guard let head, buffer.readableBytes >= head.length + head.bodyLength else { return .needMoreData }
        var message = context.channel.allocator.buffer(capacity: head.length + head.bodyLength + 32)
        let start = buffer.readerIndex
        message.writeImmutableBuffer(buffer.getSlice(at: start + head.startLine.lowerBound, length: head.startLine.count)!)
        message.writeStaticString("\r\n")
        buffer.withUnsafeReadableBytes { bytes in
            for field in fields where !Self.isHopByHop(bytes[field.name]) {
                message.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[field.name]))
                message.writeStaticString(": ")
                message.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[field.value]))
                message.writeStaticString("\r\n")
            }
        }
        message.writeStaticString("x-relayed-by: lean\r\n\r\n")
        if head.bodyLength > 0 {
            message.writeImmutableBuffer(buffer.getSlice(at: start + head.length, length: head.bodyLength)!)
        }
        buffer.moveReaderIndex(forwardBy: head.length + head.bodyLength)
        context.fireChannelRead(wrapInboundOut(message))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        .needMoreData
    }

    /// Whether `bytes`, lowercased, are `name` (all lowercase).
    private static func equalsLowercased(_ bytes: Slice<UnsafeRawBufferPointer>, _ name: StaticString) -> Bool {
        guard bytes.count == name.utf8CodeUnitCount else { return false }
        return zip(bytes, UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)).allSatisfy { $0 | 0x20 == $1 }
    }

    /// Whether a field of this name is hop-by-hop (`connection`, `keep-alive`).
    private static func isHopByHop(_ name: Slice<UnsafeRawBufferPointer>) -> Bool {
        equalsLowercased(name, "connection") || equalsLowercased(name, "keep-alive")
    }
}

/// Serves `mode` on `listenPort` until the process ends.
func serve<Request, Response, Up: Sendable, Down: Sendable>(_ mode: RelayMode<Request, Response, Up, Down>, listenPort: Int, upstreamPort: Int, group: any EventLoopGroup) async throws {
    let server = try await ServerBootstrap(group: group)
        .serverChannelOption(.backlog, value: 1024)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try mode.configureInbound(channel.pipeline.syncOperations)
                try channel.pipeline.syncOperations.addHandler(InboundHandler(mode: mode, upstreamPort: upstreamPort))
            }
        }
        .bind(host: "127.0.0.1", port: listenPort)
        .get()
    try await server.closeFuture.get()
}

let arguments = CommandLine.arguments
guard (3...5).contains(arguments.count), let listenPort = Int(arguments[1]), let upstreamPort = Int(arguments[2]),
      arguments.count < 4 || ["http", "tcp", "lean"].contains(arguments[3]) else {
    fatalError("usage: NIOFloorProxy LISTEN_PORT UPSTREAM_PORT [http|tcp|lean] [EVENT_LOOPS]")
}
let group = arguments.count == 5 ? MultiThreadedEventLoopGroup(numberOfThreads: Int(arguments[4]) ?? 1) : .singleton
switch arguments.count >= 4 ? arguments[3] : "http" {
case "tcp":
    try await serve(tcp, listenPort: listenPort, upstreamPort: upstreamPort, group: group)
case "lean":
    try await serve(lean, listenPort: listenPort, upstreamPort: upstreamPort, group: group)
default:
    try await serve(http, listenPort: listenPort, upstreamPort: upstreamPort, group: group)
}
