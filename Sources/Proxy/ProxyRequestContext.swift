import Hummingbird
import NIOCore

/// Hummingbird's per-request context plus the caller's address (for `x-forwarded-for`
/// and the SERVER span's `client.address`).
struct ProxyRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The peer of the inbound connection.
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
