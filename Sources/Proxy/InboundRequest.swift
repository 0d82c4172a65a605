import NIOCore
import NIOHTTP1

/// One request as the proxy's server hands it to ``ProxyResponder``: NIOHTTP1's head as
/// decoded (no HTTPTypes conversion), the caller's address, and its body.
struct InboundRequest: Sendable {
    var head: HTTPRequestHead
    /// The caller's address and port (nil for a non-IP socket).
    var client: ClientAddress?
    var body: InboundRequestBody
}

/// The caller's address, read once per connection.
struct ClientAddress: Sendable {
    /// `127.0.0.1`, `::1`.
    var ip: String
    var port: Int?
}

/// A request body as the server delivers it, decided from the head
/// (``ProxyConnectionHandler``): none, collected whole (small enough to replay on a
/// retry), or streamed as it arrives.
enum InboundRequestBody: Sendable {
    /// No `Content-Length` (or 0) and no `Transfer-Encoding`.
    case empty
    /// `Content-Length` within the retry buffer limit: the whole body once it has arrived
    /// (fails when the caller goes away first).
    case collected(EventLoopFuture<ByteBuffer>)
    /// Larger, or chunked: read as the proxy forwards it (back-pressured).
    case streamed(InboundBody, length: Int?)
}

/// A streamed request body: NIO's back-pressured async sequence, fed by the connection's
/// ``ProxyConnectionHandler`` (reads are held while it is full).
typealias InboundBody = NIOThrowingAsyncSequenceProducer<
    ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, BodyDemand<ProxyConnectionHandler>
>
