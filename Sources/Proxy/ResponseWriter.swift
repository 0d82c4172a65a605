import NIOCore
import NIOHTTP1

/// How ``ProxyResponder`` answers one request: the response parts go to the request's
/// ``ProxyConnectionHandler``. The request's task runs on the connection's event loop, so
/// the calls are direct; from anywhere else they hop onto it.
struct ResponseWriter: Sendable {
    let connection: NIOLoopBound<ProxyConnectionHandler>
    /// The request's HTTP version (the response's).
    let version: HTTPVersion

    /// Writes a whole response (`Date` and `Server: keiro` added) in one flush.
    func respond(status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer?) {
        let head = HTTPResponseHead(version: version, status: status, headers: headers)
        onLoop { $0.writeResponse(head, body: body, complete: true) }
    }

    /// Writes the head of a response whose body follows (``write(_:)``, ``finish()``).
    func start(status: HTTPResponseStatus, headers: HTTPHeaders) {
        let head = HTTPResponseHead(version: version, status: status, headers: headers)
        onLoop { $0.writeResponse(head, body: nil, complete: false) }
    }

    /// Writes one chunk of the body, returning once it is written (back pressure from the caller).
    /// - Throws: When the connection failed or closed (the caller went away).
    func write(_ chunk: ByteBuffer) async throws {
        let connection = connection
        let written: EventLoopFuture<Void>
        if connection.eventLoop.inEventLoop {
            written = connection.value.writeBodyPart(chunk)
        } else {
            written = connection.eventLoop.flatSubmit { connection.value.writeBodyPart(chunk) }
        }
        try await written.get()
    }

    /// Ends the body.
    func finish() { onLoop { $0.endResponse() } }

    /// Closes the connection: the response cannot be completed (or the request's body failed).
    func abort() { onLoop { $0.abortResponse() } }

    private func onLoop(_ work: @escaping @Sendable (ProxyConnectionHandler) -> Void) {
        let connection = connection
        if connection.eventLoop.inEventLoop {
            work(connection.value)
        } else {
            connection.eventLoop.execute { work(connection.value) }
        }
    }
}
