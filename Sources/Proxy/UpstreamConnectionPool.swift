import NIOCore
import NIOHTTP1
import NIOPosix

/// The upstream connections of one event loop: idle keep-alive connections per address,
/// reused last-in first-out, and new ones connected on this loop when none is idle.
/// Like nginx's `keepalive N`, ``maxIdlePerAddress`` bounds the idle connections kept
/// per address; tries beyond it at once get a connection of their own that closes after
/// its response. Confined to its loop: no locks.
final class UpstreamConnectionPool {
    let eventLoop: any EventLoop
    let maxIdlePerAddress: Int
    let connectTimeout: TimeAmount
    private var idle: [String: [UpstreamConnection]] = [:]
    private var closing = false

    init(eventLoop: any EventLoop, maxIdlePerAddress: Int, connectTimeout: TimeAmount) {
        self.eventLoop = eventLoop
        self.maxIdlePerAddress = maxIdlePerAddress
        self.connectTimeout = connectTimeout
    }

    /// Starts `exchange` to `host:port` (`address`) on an idle connection, or on a new one.
    func start(_ exchange: UpstreamExchange, host: String, port: Int, address: String) {
        if let connection = idle[address]?.popLast() {
            connection.start(exchange)
            return
        }
        var timeout = connectTimeout
        if let deadline = exchange.deadline { timeout = min(timeout, deadline - .now()) }
        let connection = UpstreamConnection(address: address, pool: self)
        let handler = NIOLoopBound(connection, eventLoop: eventLoop)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(max(timeout, .zero))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // No outbound header validation: every forwarded name and value was
                    // parsed and validated on the way in (or is one the proxy formats).
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(enableOutboundHeaderValidation: false)
                    try channel.pipeline.syncOperations.addHandler(handler.value)
                }
            }
        let connected: EventLoopFuture<any Channel>
        if let ip = try? SocketAddress(ipAddress: host, port: port) {
            connected = bootstrap.connect(to: ip)
        } else {
            connected = bootstrap.connect(host: host, port: port)
        }
        connected.assumeIsolated().whenComplete { result in
            switch result {
            case .success:
                connection.start(exchange)
            case .failure(let error):
                // A connect cut short by the try's deadline is that try's timeout.
                if let deadline = exchange.deadline, deadline <= .now() {
                    exchange.fail(AttemptTimeout())
                } else {
                    exchange.fail(error)
                }
            }
        }
    }

    /// A connection whose exchange ended cleanly: kept idle, or closed when enough are.
    func release(_ connection: UpstreamConnection) {
        if !closing, idle[connection.address, default: []].count < maxIdlePerAddress {
            idle[connection.address, default: []].append(connection)
        } else {
            connection.abort()
        }
    }

    /// An idle connection that closed.
    func remove(_ connection: UpstreamConnection) {
        idle[connection.address]?.removeAll { $0 === connection }
    }

    /// Closes the idle connections; connections released from now on close too.
    func close() {
        closing = true
        let connections = idle.values.joined()
        idle = [:]
        for connection in connections { connection.abort() }
    }
}
