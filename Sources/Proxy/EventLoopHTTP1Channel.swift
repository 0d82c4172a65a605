import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 child channel, with each connection's request handling run on the
/// connection's own event loop (``EventLoopTaskExecutor``) rather than on Swift's global pool.
/// Every `await` of a request — reading the inbound body, the upstream try, writing the
/// response — then resumes on the thread that did the I/O.
struct EventLoopHTTP1Channel: ServerChildChannel {
    let http1: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        http1.setup(channel: channel, logger: logger)
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await http1.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with request handling on each connection's event loop (``EventLoopHTTP1Channel``).
    static var eventLoopHTTP1: HTTPServerBuilder {
        HTTPServerBuilder { responder in EventLoopHTTP1Channel(http1: HTTP1Channel(responder: responder)) }
    }
}
