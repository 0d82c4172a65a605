import Foundation
import Hummingbird
import OTLPWire
import Store

/// The collector's HTTP endpoints.
struct CollectorRoutes: Sendable {
    let pipeline: IngestPipeline

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/traces") { request, _ in await otlp(request) }
        router.post("/api/v2/spans") { request, _ in await zipkin(request) }
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: pipeline.metrics.exposition(store: pipeline.store))))
        }
    }

    /// `POST /v1/traces`: OTLP/HTTP, protobuf or JSON, answered in the request's encoding.
    func otlp(_ request: Request) async -> Response {
        let mediaType = request.headers[.contentType]?.mediaType ?? ""
        let encoding: ExportResponses.Encoding
        switch mediaType {
        case "application/x-protobuf", "application/protobuf": encoding = .protobuf
        case "application/json": encoding = .json
        default:
            pipeline.metrics.batchRejected(protocol: "otlp", reason: "unsupported_media_type")
            return ExportResponses.failure(
                .unsupportedMediaType, .json,
                message: "Content-Type '\(mediaType)' is not supported; use application/x-protobuf or application/json")
        }
        let result = await pipeline.ingest(request, protocol: encoding == .protobuf ? "otlp_protobuf" : "otlp_json") { body throws(WireDecodingError) in
            switch encoding {
            case .protobuf:
                try body.withUnsafeReadableBytes { bytes in
                    Result { () throws(WireDecodingError) in try OTLPProtobufDecoder.decode(bytes) }
                }.get()
            case .json: try OTLPJSONDecoder.decode(Data(body.readableBytesView))
            }
        }
        switch result {
        case .success(let accepted):
            return ExportResponses.success(
                encoding, rejected: accepted.rejections.count,
                message: accepted.rejections.count > 0 ? accepted.rejections.summary : nil)
        case .failure(let failure):
            let (status, message, retryAfter) = answer(for: failure)
            return ExportResponses.failure(status, encoding, message: message, retryAfter: retryAfter)
        }
    }

    /// `POST /api/v2/spans`: Zipkin v2 JSON, 202 once stored.
    func zipkin(_ request: Request) async -> Response {
        let mediaType = request.headers[.contentType]?.mediaType ?? "application/json"
        guard mediaType == "application/json" else {
            pipeline.metrics.batchRejected(protocol: "zipkin", reason: "unsupported_media_type")
            return plain(.unsupportedMediaType, "Content-Type '\(mediaType)' is not supported; Keiro accepts Zipkin v2 JSON (application/json)\n")
        }
        let result = await pipeline.ingest(request, protocol: "zipkin_json") { body throws(WireDecodingError) in
            try ZipkinJSONDecoder.decode(Data(body.readableBytesView))
        }
        switch result {
        case .success(let accepted):
            if accepted.rejections.count > 0 && accepted.outcome.stored + accepted.outcome.duplicates == 0 {
                return plain(.badRequest, accepted.rejections.summary + "\n")
            }
            return Response(status: .accepted)
        case .failure(let failure):
            let (status, message, retryAfter) = answer(for: failure)
            var response = plain(status, message + "\n")
            if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
            return response
        }
    }

    private func answer(for failure: IngestPipeline.Failure) -> (HTTPResponse.Status, String, Int?) {
        switch failure {
        case .tooLarge(let message): (.contentTooLarge, message, nil)
        case .unsupportedMediaType(let message): (.unsupportedMediaType, message, nil)
        case .undecodable(let message): (.badRequest, message, nil)
        case .unavailable(let message): (.serviceUnavailable, message, pipeline.configuration.retryAfterSeconds)
        }
    }

    private func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
