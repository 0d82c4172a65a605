import NIOCore
import NIOHTTP1

/// One inbound HTTP/1.1 connection of the proxy, right after NIOHTTP1's server codec
/// (no other handler between: each is one more hop for every read and write).
///
/// One request is answered at a time: parts of pipelined requests that arrive while a
/// response is pending wait here, in order, and reads are held only when many have
/// (NIO's pipelining handler holds every read while a response is pending, which costs
/// two `epoll_ctl` per request). ``ChannelShouldQuiesceEvent`` (graceful shutdown) closes
/// the connection at once when idle, else after the current response.
///
/// For each request head it decides how the body is delivered (``InboundRequestBody``),
/// starts the request's task on the connection's event loop (``EventLoopTaskExecutor``: every
/// `await` of the request resumes on this thread) and takes the response parts back
/// through ``ResponseWriter``, writing NIOHTTP1's `HTTPServerResponsePart`s directly: a
/// whole response is one flush, a streamed one a flush per chunk. Everything but the task
/// runs on the channel's event loop.
final class ProxyConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler, BodyProducer {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum Body {
        /// No request, or its body has ended.
        case none
        case collecting(EventLoopPromise<ByteBuffer>, received: ByteBuffer?)
        case streaming(InboundBody.Source)
        /// The request no longer wants its streamed body: the rest is read and dropped.
        case discarding
    }

    private let responder: ProxyResponder
    private let retryBufferLimit: Int
    private let executor: EventLoopTaskExecutor
    private var context: ChannelHandlerContext?
    private var client: ClientAddress?
    private var body = Body.none
    /// The current request's connection outlives its response (`Connection: close` not asked).
    private var keepAlive = true
    /// The streamed body's buffer is full: `read()` is held until the request asks for more.
    private var bodyPaused = false
    private var readHeld = false
    /// A response has been started and not ended yet.
    private var responding = false
    /// The task answering the current request: cancelled when the caller goes away
    /// mid-request, which stops its upstream try at once (recorded as `DC`).
    private var requestTask: Task<Void, Never>?
    /// The current request's end has arrived (later parts belong to the next request).
    private var requestComplete = true
    /// Parts of the requests after the current one, waiting for its response to end.
    private var pipelined = CircularBuffer<HTTPServerRequestPart>()
    /// Graceful shutdown: close after the current response.
    private var quiescing = false
    /// Numbers requests, so a late call about an earlier request's body is ignored.
    private var requestNumber = 0
    /// Reads are held while this many pipelined parts wait.
    private static let pipelinedLimit = 64

    init(responder: ProxyResponder, retryBufferLimit: Int, eventLoop: any EventLoop) {
        self.responder = responder
        self.retryBufferLimit = retryBufferLimit
        executor = EventLoopTaskExecutor(eventLoop)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if let remote = context.channel.remoteAddress, let ip = remote.ipAddress { client = ClientAddress(ip: ip, port: remote.port) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    // MARK: Requests

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if (responding && requestComplete) || !pipelined.isEmpty {
            pipelined.append(part)
        } else {
            handle(part, context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else { return context.fireUserInboundEventTriggered(event) }
        quiescing = true
        if !responding { context.close(promise: nil) }
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            responding = true
            requestComplete = false
            requestNumber &+= 1
            keepAlive = head.isKeepAlive
            let request = InboundRequest(head: head, client: client, body: startBody(head, eventLoop: context.eventLoop))
            let writer = ResponseWriter(connection: NIOLoopBound(self, eventLoop: context.eventLoop), version: head.version)
            let responder = responder
            requestTask = Task(executorPreference: executor) { await responder.serve(request, writer: writer) }
        case .body(var part):
            switch body {
            case .collecting(let promise, var received?):
                body = .none  // no copy-on-write while appending
                received.writeBuffer(&part)
                body = .collecting(promise, received: received)
            case .collecting(let promise, nil):
                body = .collecting(promise, received: part)
            case .streaming(let source):
                if source.yield(part) == .stopProducing { bodyPaused = true }
            case .none, .discarding:
                break
            }
        case .end:
            requestComplete = true
            switch body {
            case .collecting(let promise, let received): promise.succeed(received ?? ByteBuffer())
            case .streaming(let source): source.finish()
            case .none, .discarding: break
            }
            body = .none
            resumeBodyReads()
        }
    }

    /// How the body of the request `head` is delivered.
    private func startBody(_ head: HTTPRequestHead, eventLoop: any EventLoop) -> InboundRequestBody {
        let length = head.headers.first(name: "content-length").flatMap { Int($0) }
        if let length, length <= retryBufferLimit {
            if length == 0 { return .empty }
            let promise = eventLoop.makePromise(of: ByteBuffer.self)
            body = .collecting(promise, received: nil)
            return .collected(promise.futureResult)
        }
        guard length != nil || head.headers.contains(name: "transfer-encoding") else { return .empty }
        let stream = InboundBody.makeSequence(
            backPressureStrategy: .init(lowWatermark: 2, highWatermark: 8), finishOnDeinit: false,
            delegate: BodyDemand(connection: NIOLoopBound(self, eventLoop: eventLoop), number: requestNumber))
        body = .streaming(stream.source)
        return .streamed(stream.sequence, length: length)
    }

    func read(context: ChannelHandlerContext) {
        if bodyPaused || pipelined.count >= Self.pipelinedLimit {
            readHeld = true
        } else {
            context.read()
        }
    }

    /// The streamed body's reader (of request `request`) wants more.
    func bodyDemanded(_ request: Int) {
        if request == requestNumber { resumeBodyReads() }
    }

    private func resumeBodyReads() {
        guard bodyPaused else { return }
        bodyPaused = false
        resumeHeldRead()
    }

    private func resumeHeldRead() {
        if readHeld, !bodyPaused, pipelined.count < Self.pipelinedLimit {
            readHeld = false
            context?.read()
        }
    }

    /// The streamed body's reader (of request `request`) stopped before its end (the request ended early).
    func bodyAbandoned(_ request: Int) {
        guard request == requestNumber, case .streaming = body else { return }
        body = .discarding
        resumeBodyReads()
    }

    /// A malformed request is answered 400 (unless a response is under way) and, like a
    /// socket error, closes the connection.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError, !responding {
            responding = true
            let headers = HTTPHeaders([("connection", "close"), ("content-length", "0")])
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .badRequest, headers: headers))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        switch body {
        case .collecting(let promise, _): promise.fail(ChannelError.eof)
        case .streaming(let source): source.finish(ChannelError.eof)
        case .none, .discarding: break
        }
        body = .none
        if responding { requestTask?.cancel() }
        requestTask = nil
        context.fireChannelInactive()
    }

    // MARK: Responses (from ``ResponseWriter``)

    /// Writes a head (adding `Date`, `Server` and what keep-alive needs) and, for a whole
    /// response, its body and end in the same flush.
    func writeResponse(_ head: HTTPResponseHead, body: ByteBuffer?, complete: Bool) {
        guard let context else { return }
        var head = head
        head.headers.add(name: "date", value: responder.date.now)
        head.headers.add(name: "server", value: "keiro")
        if !keepAlive, head.version.minor >= 1 {
            head.headers.replaceOrAdd(name: "connection", value: "close")
        } else if keepAlive, head.version.major == 1, head.version.minor == 0 {
            head.headers.replaceOrAdd(name: "connection", value: "keep-alive")
        }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body, body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        if complete {
            end(context: context)
        } else {
            context.flush()
        }
    }

    /// Writes one chunk of a streamed response; the future completes once it is written.
    func writeBodyPart(_ chunk: ByteBuffer) -> EventLoopFuture<Void> {
        guard let context else { return executor.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel) }
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(chunk))), promise: promise)
        return promise.futureResult
    }

    /// Ends a streamed response.
    func endResponse() {
        guard let context else { return }
        end(context: context)
    }

    /// Closes the connection at once (the response cannot be completed).
    func abortResponse() {
        context?.close(promise: nil)
    }

    /// Ends the response; then closes the connection (`Connection: close`, shutdown) or
    /// goes on with the pipelined requests.
    private func end(context: ChannelHandlerContext) {
        responding = false
        requestTask = nil
        guard keepAlive, !quiescing else {
            let promise = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
            promise.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            return
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        while !(responding && requestComplete), let part = pipelined.popFirst() {
            handle(part, context: context)
        }
        resumeHeldRead()
    }
}
