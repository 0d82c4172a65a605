import KeiroModel
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import RoutingCore

/// The proxy's HTTP/1.1 client for upstream tries: one ``UpstreamConnectionPool`` per event
/// loop of the group the server runs on. A try goes out on the loop of the inbound
/// request's connection (the request's task runs there, ``EventLoopHTTP1Channel``), so the
/// whole exchange — pool, connect, write, response head and body — stays on one thread
/// with no locks and no thread hops. Also maps its errors to RoutingCore's ``AttemptOutcome``.
struct UpstreamClient: Sendable {
    private let group: any EventLoopGroup
    private let pools: [ObjectIdentifier: NIOLoopBound<UpstreamConnectionPool>]

    /// Pools on every loop of `group`: at most ``ProxyConfiguration/maxConnectionsPerHost``
    /// idle connections per address and loop; connects bounded by
    /// ``ProxyConfiguration/connectTimeout`` (and the try's deadline). A refused connection
    /// fails the try at once: RoutingCore decides about retrying.
    init(_ configuration: ProxyConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async {
        self.group = group
        var pools: [ObjectIdentifier: NIOLoopBound<UpstreamConnectionPool>] = [:]
        for loop in group.makeIterator() {
            let maxIdle = configuration.maxConnectionsPerHost
            let connectTimeout = TimeAmount.nanoseconds(configuration.connectTimeout.nanoseconds)
            // Each pool is created on (and bound to) its loop.
            pools[ObjectIdentifier(loop)] = try? await loop.submit {
                NIOLoopBound(
                    UpstreamConnectionPool(eventLoop: loop, maxIdlePerAddress: maxIdle, connectTimeout: connectTimeout),
                    eventLoop: loop)
            }.get()
        }
        self.pools = pools
    }

    /// Sends `head` (and `body`) to `host:port` (`address`) and waits for the response head.
    /// `deadline` bounds the whole response, body included: reading the body past it
    /// throws ``AttemptTimeout``.
    func send(
        _ head: HTTPRequestHead, body: ForwardBody, host: String, port: Int, address: String,
        deadline: ContinuousClock.Instant?
    ) async throws -> UpstreamResponseHead {
        guard let loop = MultiThreadedEventLoopGroup.currentEventLoop, let pool = pools[ObjectIdentifier(loop)] else {
            // Not on one of the group's loops (a caller outside the server): go to one.
            return try await withTaskExecutorPreference(EventLoopTaskExecutor(group.next())) {
                try await send(head, body: body, host: host, port: port, address: address, deadline: deadline)
            }
        }
        let nioDeadline = deadline.map { NIODeadline.now() + .nanoseconds(ContinuousClock.now.duration(to: $0).nanoseconds) }
        let exchange = UpstreamExchange(head: head, body: body, deadline: nioDeadline, on: loop)
        let response = exchange.response.futureResult
        let headWritten = exchange.headWritten?.futureResult
        let cancellable = NIOLoopBound(exchange, eventLoop: loop)
        pool.value.start(exchange, host: host, port: port, address: address)
        return try await withTaskCancellationHandler {
            if case .streamed(let requestBody, _) = body, let headWritten {
                try await Self.stream(requestBody, after: headWritten, cancelling: cancellable)
            }
            return try await response.get()
        } onCancel: {
            loop.execute { cancellable.value.cancel() }
        }
    }

    /// Writes a streamed request body once its head is out. A failed write means the
    /// connection ended: the response (or its failure) says why.
    private static func stream(
        _ body: some AsyncSequence<ByteBuffer, any Error>, after headWritten: EventLoopFuture<any Channel>,
        cancelling exchange: NIOLoopBound<UpstreamExchange>
    ) async throws {
        guard let channel = try? await headWritten.get() else { return }
        do {
            for try await chunk in body {
                guard (try? await channel.writeAndFlush(HTTPClientRequestPart.body(.byteBuffer(chunk)))) != nil else { return }
            }
        } catch {
            // The caller's body failed: end the try.
            exchange.eventLoop.execute { exchange.value.cancel() }
            throw error
        }
        try? await channel.writeAndFlush(HTTPClientRequestPart.end(nil))
    }

    /// Closes the idle connections of every loop.
    func shutdown() async {
        for pool in pools.values {
            try? await pool.eventLoop.submit { pool.value.close() }.get()
        }
    }

    /// How a failed try ended, for the retry state machine, and the `error.type` to record.
    static func classify(_ error: any Error) -> (outcome: AttemptOutcome, errorType: String) {
        if error is AttemptTimeout { return (.timedOut, "timeout") }
        if error is UpstreamConnectionClosed { return (.reset, "connection_reset") }
        if let error = error as? IOError, Self.connectErrnos.contains(error.errnoCode) {
            return (.connectFailure, "connection_refused")
        }
        if error is NIOConnectionError { return (.connectFailure, "connection_refused") }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return (.connectFailure, "connect_timeout")
        }
        return (.reset, String(describing: type(of: error)))
    }

    /// ECONNREFUSED, ENETUNREACH, EHOSTUNREACH on Linux.
    private static let connectErrnos: Set<CInt> = [111, 101, 113]
}

/// A try's deadline passed.
struct AttemptTimeout: Error {}
