import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The proxy's HTTP/1.1 server on plain SwiftNIO: `ServerBootstrap`, NIOHTTP1's server
/// codec and a
/// ``ProxyConnectionHandler`` per connection, which hands each request to the
/// ``ProxyResponder`` and writes its response parts directly.
enum ProxyHTTPServer {
    /// Listens on `host:port` until graceful shutdown (or cancellation), then stops
    /// accepting, lets every connection finish the request it is on (idle ones close at
    /// once) and returns when all have closed.
    static func run(
        host: String, port: Int, responder: ProxyResponder, retryBufferLimit: Int,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onServerRunning: @Sendable (Int) async -> Void
    ) async throws {
        let connections = Connections()
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: false)
            .childChannelInitializer { channel in
                connections.add(channel)
                return channel.eventLoop.makeCompletedFuture {
                    // Only the codec: pipelining, the 400 on a malformed request and what
                    // is sent are the connection handler's (the relayed headers were
                    // validated as NIO parsed them; no re-validation per response).
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false)
                    try channel.pipeline.syncOperations.addHandler(
                        ProxyConnectionHandler(responder: responder, retryBufferLimit: retryBufferLimit, eventLoop: channel.eventLoop))
                }
            }
            .bind(host: host, port: port).get()
        await onServerRunning(server.localAddress?.port ?? port)
        await withTaskCancellationOrGracefulShutdownHandler {
            try? await server.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            server.close(promise: nil)
        }
        await connections.quiesce()
    }
}

/// The server's open connections, so shutdown can let each finish and wait for it.
private final class Connections: Sendable {
    private let state = Mutex<(open: [ObjectIdentifier: any Channel], quiescing: Bool)>(([:], false))

    func add(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let quiescing = state.withLock { state in
            state.open[id] = channel
            return state.quiescing
        }
        channel.closeFuture.whenComplete { _ in _ = self.state.withLock { $0.open.removeValue(forKey: id) } }
        if quiescing { channel.close(promise: nil) }  // accepted as the server stopped
    }

    /// Asks every connection to close after its current response, and waits until all have.
    func quiesce() async {
        let open = state.withLock { state in
            state.quiescing = true
            return Array(state.open.values)
        }
        for channel in open { channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
        for channel in open { try? await channel.closeFuture.get() }
    }
}
