import NIOCore
import NIOHTTP1

/// One upstream try on the wire: the request, the deadline, and the promise of the
/// response head, settled once — by the connection, by a failed connect, or by cancellation.
/// Confined to its event loop.
final class UpstreamExchange {
    let head: HTTPRequestHead
    let body: ForwardBody
    let deadline: NIODeadline?
    let response: EventLoopPromise<UpstreamResponseHead>
    /// For a streamed body (only): the channel, once the head is written, for the body's writer.
    let headWritten: EventLoopPromise<any Channel>?
    /// The connection carrying it, once it has one.
    weak var connection: UpstreamConnection?
    private var settled = false

    init(head: HTTPRequestHead, body: ForwardBody, deadline: NIODeadline?, on eventLoop: any EventLoop) {
        self.head = head
        self.body = body
        self.deadline = deadline
        response = eventLoop.makePromise()
        if case .streamed = body { headWritten = eventLoop.makePromise() } else { headWritten = nil }
    }

    func succeed(_ head: UpstreamResponseHead) {
        guard !settled else { return }
        settled = true
        response.succeed(head)
        headWritten?.fail(UpstreamConnectionClosed())
    }

    func fail(_ error: any Error) {
        guard !settled else { return }
        settled = true
        response.fail(error)
        headWritten?.fail(error)
    }

    /// The task waiting for the head was cancelled.
    func cancel() {
        guard !settled else { return }
        fail(CancellationError())
        connection?.abort()
    }
}

/// The head of an upstream response, and its body.
struct UpstreamResponseHead: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: UpstreamResponseBody
}

/// An upstream response body: whole, or still to be read.
enum UpstreamResponseBody: Sendable {
    /// The whole body (nil: empty) arrived with the head.
    case complete(ByteBuffer?)
    /// The body streams in (bounded by the try's deadline).
    case streaming(UpstreamBody)
}
