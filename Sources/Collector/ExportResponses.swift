import Foundation
import Hummingbird
import OTLPWire
import SwiftProtobuf

/// OTLP/HTTP responses in the request's encoding: `ExportTraceServiceResponse` on success
/// and `google.rpc.Status` for errors.
enum ExportResponses {
    enum Encoding {
        case protobuf, json

        var contentType: String { self == .protobuf ? "application/x-protobuf" : "application/json" }
    }

    /// 200, with `partial_success` when spans were rejected.
    static func success(_ encoding: Encoding, rejected: Int, message: String?) -> Response {
        var response = OTLPExportResponse()
        if rejected > 0 {
            response.partialSuccess.rejectedSpans = Int64(rejected)
            response.partialSuccess.errorMessage = message ?? ""
        }
        return make(.ok, encoding, response)
    }

    /// An error status with a `google.rpc.Status` body; `retryAfter` adds the header.
    static func failure(_ status: HTTPResponse.Status, _ encoding: Encoding, message: String, retryAfter: Int? = nil) -> Response {
        var body = RPCStatus()
        body.code = Int32(rpcCode(for: status))
        body.message = message
        var response = make(status, encoding, body)
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }

    private static func make(_ status: HTTPResponse.Status, _ encoding: Encoding, _ message: some SwiftProtobuf.Message) -> Response {
        let bytes: [UInt8]
        switch encoding {
        case .protobuf: bytes = (try? message.serializedBytes()) ?? []
        case .json: bytes = (try? message.jsonUTF8Bytes()) ?? Array("{}".utf8)
        }
        return Response(
            status: status, headers: [.contentType: encoding.contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The gRPC code matching an HTTP status (google.rpc.Code numbering).
    private static func rpcCode(for status: HTTPResponse.Status) -> Int {
        switch status.code {
        case 400: 3  // INVALID_ARGUMENT
        case 413: 8  // RESOURCE_EXHAUSTED
        case 415: 3
        case 429: 8
        case 503: 14  // UNAVAILABLE
        default: 2  // UNKNOWN
        }
    }
}
