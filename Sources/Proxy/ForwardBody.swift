import NIOCore
import NIOHTTP1

/// The request body as it goes upstream: held in memory when small enough to replay on a
/// retry, otherwise streamed once as it arrives (and the request is not retried).
enum ForwardBody: Sendable {
    /// No body (no `Content-Length`, no `Transfer-Encoding`).
    case empty
    /// Buffered, replayable on every try.
    case buffered(ByteBuffer)
    /// Streamed from the client as it arrives; one try only.
    case streamed(InboundBody, length: Int?)

    /// The body as the server delivers it (``InboundRequestBody``: collected when its
    /// `Content-Length` is within ``ProxyConfiguration/retryBufferLimit``), waiting for a
    /// collected one to arrive.
    /// - Throws: When the caller went away before the whole body arrived.
    init(_ body: InboundRequestBody) async throws {
        switch body {
        case .empty: self = .empty
        case .collected(let whole): self = .buffered(try await whole.get())
        case .streamed(let stream, let length): self = .streamed(stream, length: length)
        }
    }

    /// Whether a second try can send the same bytes.
    var isReplayable: Bool {
        if case .streamed = self { return false }
        return true
    }

    /// The framing header the body goes upstream with: `content-length` when its length is
    /// known (`0` for an empty POST, PUT or PATCH), else `transfer-encoding: chunked`.
    func framingHeader(method: HTTPMethod) -> (name: String, value: String)? {
        switch self {
        case .empty:
            switch method {
            case .POST, .PUT, .PATCH: ("content-length", "0")
            default: nil
            }
        case .buffered(let buffer): ("content-length", String(buffer.readableBytes))
        case .streamed(_, let length?): ("content-length", String(length))
        case .streamed(_, nil): ("transfer-encoding", "chunked")
        }
    }
}
