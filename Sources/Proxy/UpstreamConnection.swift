import NIOCore
import NIOHTTP1

/// One pooled HTTP/1.1 connection to an upstream address (a handler at the end of its
/// channel's pipeline, after NIO's HTTP client codec), carrying one ``UpstreamExchange``
/// at a time. Everything runs on the channel's event loop.
///
/// The try's deadline bounds the whole exchange, response body included (Envoy's per-try
/// and route timeouts cover the body too): when it passes, the connection closes and the
/// head or body fails with ``AttemptTimeout``. The body is read only as fast as the proxy
/// relays it (the channel's reads are held while the body buffer is full). The head is
/// handed over at the end of the read it arrived in: when the whole body came in that same
/// read (the common small response) it goes along as ``UpstreamResponseBody/complete(_:)``,
/// so the proxy answers with one write and no body stream is set up. A connection
/// goes back to its ``UpstreamConnectionPool`` when a keep-alive response has ended and
/// the whole request was sent; otherwise it closes.
final class UpstreamConnection: ChannelDuplexHandler, RemovableChannelHandler, BodyProducer {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    private enum State {
        case idle
        case awaitingHead
        /// The head arrived in the current read; the body parts of that read so far.
        case headArrived(HTTPResponseHead, body: ByteBuffer?)
        case streamingBody(UpstreamBody.Source)
        case closed
    }

    /// The upstream address (`host:port`), the pool's key.
    let address: String
    private let pool: UpstreamConnectionPool
    private var state = State.idle
    private var context: ChannelHandlerContext?
    private var exchange: UpstreamExchange?
    /// Numbers exchanges, so a late body callback of an earlier one is ignored.
    private var exchangeNumber = 0
    private var deadlineTask: Scheduled<Void>?
    private var timedOut = false
    private var failure: (any Error)?
    private var keepAlive = true
    private var requestEnded = false
    /// The body buffer is full: `read()` is held until the relay asks for more.
    private var bodyPaused = false
    private var readHeld = false

    init(address: String, pool: UpstreamConnectionPool) {
        self.address = address
        self.pool = pool
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// Starts `exchange` on this (idle) connection: writes its head, and its body unless it
    /// is streamed (then ``UpstreamExchange/headWritten`` hands the channel to the writer).
    func start(_ exchange: UpstreamExchange) {
        guard case .idle = state, let context, context.channel.isActive else {
            exchange.fail(UpstreamConnectionClosed())
            return
        }
        self.exchange = exchange
        exchangeNumber &+= 1
        exchange.connection = self
        state = .awaitingHead
        keepAlive = exchange.head.isKeepAlive
        requestEnded = false
        bodyPaused = false
        if let deadline = exchange.deadline {
            deadlineTask = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
                timedOut = true
                self.context?.close(promise: nil)
            }
        }
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        switch exchange.body {
        case .empty:
            requestEnded = true
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        case .buffered(let buffer):
            requestEnded = true
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        case .streamed:
            // The body's writer goes through the channel, so ``write(context:data:promise:)`` sees its end.
            context.flush()
            exchange.headWritten?.succeed(context.channel)
        }
    }

    /// Ends the exchange at once (its task was cancelled, or the streamed request body failed).
    func abort() {
        context?.close(promise: nil)
    }

    // MARK: Channel events

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { requestEnded = true }
        context.write(data, promise: promise)
    }

    func read(context: ChannelHandlerContext) {
        if bodyPaused {
            readHeld = true
        } else {
            context.read()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard case .awaitingHead = state, exchange != nil else {
                context.close(promise: nil)
                return
            }
            // 1xx informational heads precede the real one.
            if head.status.code < 200, head.status != .switchingProtocols { return }
            if !head.isKeepAlive { keepAlive = false }
            state = .headArrived(head, body: nil)
        case .body(var part):
            switch state {
            case .headArrived(let head, var body?):
                state = .closed  // no copy-on-write while appending
                body.writeBuffer(&part)
                state = .headArrived(head, body: body)
            case .headArrived(let head, nil):
                state = .headArrived(head, body: part)
            case .streamingBody(let source):
                if source.yield(part) == .stopProducing { bodyPaused = true }
            case .idle, .awaitingHead, .closed:
                break
            }
        case .end:
            let source: UpstreamBody.Source?
            switch state {
            case .headArrived(let head, let body):
                source = nil
                exchange?.succeed(UpstreamResponseHead(status: head.status, headers: head.headers, body: .complete(body)))
            case .streamingBody(let streaming):
                source = streaming
            case .idle, .awaitingHead, .closed:
                return
            }
            deadlineTask?.cancel()
            deadlineTask = nil
            exchange = nil
            let reusable = keepAlive && requestEnded
            state = reusable ? .idle : .closed
            bodyPaused = false
            source?.finish()
            if reusable {
                pool.release(self)
                if readHeld {
                    readHeld = false
                    context.read()
                }
            } else {
                context.close(promise: nil)
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // The head came without the end of its body: stream the body from here on.
        if case .headArrived(let head, let received) = state, let exchange {
            let body = UpstreamBody.makeSequence(
                backPressureStrategy: .init(lowWatermark: 2, highWatermark: 8), finishOnDeinit: false,
                delegate: BodyDemand(connection: NIOLoopBound(self, eventLoop: context.eventLoop), number: exchangeNumber))
            state = .streamingBody(body.source)
            if let received, body.source.yield(received) == .stopProducing { bodyPaused = true }
            exchange.succeed(UpstreamResponseHead(status: head.status, headers: head.headers, body: .streaming(body.sequence)))
        }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if failure == nil { failure = error }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadlineTask?.cancel()
        deadlineTask = nil
        let error: any Error = timedOut ? AttemptTimeout() : UpstreamConnectionClosed(underlying: failure)
        switch state {
        case .awaitingHead, .headArrived: exchange?.fail(error)
        case .streamingBody(let source): source.finish(error)
        case .idle: pool.remove(self)
        case .closed: break
        }
        state = .closed
        exchange = nil
        context.fireChannelInactive()
    }

    // MARK: Body demand (from the relay, through ``BodyDemand``)

    func bodyDemanded(_ number: Int) {
        guard number == exchangeNumber, bodyPaused else { return }
        bodyPaused = false
        if readHeld {
            readHeld = false
            context?.read()
        }
    }

    /// The relay stopped reading before the end (caller gone, or a drained retry's limit).
    func bodyAbandoned(_ number: Int) {
        guard number == exchangeNumber, case .streamingBody = state else { return }
        context?.close(promise: nil)
    }
}

/// A streamed upstream response body: NIO's back-pressured async sequence, fed by an
/// ``UpstreamConnection``.
typealias UpstreamBody = NIOThrowingAsyncSequenceProducer<
    ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, BodyDemand<UpstreamConnection>
>

/// The upstream connection closed (or failed) before the response was complete.
struct UpstreamConnectionClosed: Error {
    /// What the channel reported, if anything.
    var underlying: (any Error)?
}
