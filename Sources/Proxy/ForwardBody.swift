import Hummingbird
import NIOHTTP1
import NIOCore

/// The request body as it goes upstream: held in memory when small enough to replay on a
/// retry, otherwise streamed once as it arrives (and the request is not retried).
enum ForwardBody: Sendable {
    /// No body (no `Content-Length`, no `Transfer-Encoding`).
    case empty
    /// Buffered, replayable on every try.
    case buffered(ByteBuffer)
    /// Streamed from the client as it arrives; one try only.
    case streamed(RequestBody, length: Int?)

    /// Buffers bodies whose `Content-Length` is at most `limit`; streams the rest.
    static func prepare(_ request: Request, limit: Int) async throws -> ForwardBody {
        let length = request.headers[.contentLength].flatMap { Int($0) }
        if let length {
            if length == 0 { return .empty }
            if length <= limit { return .buffered(try await request.body.collect(upTo: limit)) }
            return .streamed(request.body, length: length)
        }
        if request.headers[.transferEncoding] != nil { return .streamed(request.body, length: nil) }
        return .empty
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
