import Hummingbird
import KeiroModel
import Store
import TraceJSON

/// A query API failure, answered as JSON `{"error": …, "parameter": …}`.
struct APIError: Error, Encodable {
    var status: HTTPResponse.Status
    var error: String
    /// The query or path parameter at fault, when one is.
    var parameter: String?

    init(status: HTTPResponse.Status, message: String, parameter: String? = nil) {
        self.status = status
        self.error = message
        self.parameter = parameter
    }

    static func traceNotFound(_ id: TraceID) -> APIError {
        APIError(status: .notFound, message: "trace \(id.hexString) is not stored")
    }

    enum CodingKeys: String, CodingKey { case error, parameter }
}

/// Response bodies of the query API.
enum APIResponse {
    /// Runs a handler; a `TraceQueryError` becomes 400, an `APIError` its status, anything
    /// else (a store failure) 500 — always with a JSON error body.
    static func answer(_ handler: () async throws -> Response) async -> Response {
        let failure: APIError
        do {
            return try await handler()
        } catch let error as TraceQueryError {
            failure = APIError(status: .badRequest, message: error.reason, parameter: error.parameter)
        } catch let error as APIError {
            failure = error
        } catch {
            failure = APIError(status: .internalServerError, message: "\(error)")
        }
        return (try? json(failure, status: failure.status)) ?? Response(status: failure.status)
    }

    /// `application/json`, compact, keys sorted.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: try JSONOutput.encode(value, pretty: false))))
    }

    /// `text/plain` (folded stacks).
    static func text(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
