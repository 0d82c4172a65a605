import Foundation
import Hummingbird
import KeiroModel
import Logging
import OTLPWire
import Store

/// The steps every ingest endpoint shares: read the body within limits, decompress,
/// decode, apply attribute limits, and write to the store, answering only after commit.
struct IngestPipeline: Sendable {
    /// Why a whole request was refused.
    enum Failure: Error {
        case tooLarge(String)
        case unsupportedMediaType(String)
        case undecodable(String)
        case unavailable(String)

        var metricReason: String {
            switch self {
            case .tooLarge: "too_large"
            case .unsupportedMediaType: "unsupported_media_type"
            case .undecodable: "undecodable"
            case .unavailable: "unavailable"
            }
        }
    }

    /// What a committed request stored and refused.
    struct Accepted {
        var outcome: WriteOutcome
        var rejections: SpanRejections
    }

    let configuration: CollectorConfiguration
    let store: SQLiteSpanStore
    let metrics: IngestMetrics
    let logger: Logger

    private var limits: SpanLimits {
        SpanLimits(maxAttributes: configuration.maxAttributesPerSpan, maxValueLength: configuration.maxAttributeValueLength)
    }

    /// Runs the pipeline; `decode` turns the decompressed body into spans.
    func ingest(
        _ request: Request, protocol wire: String, decode: (ByteBuffer) throws(WireDecodingError) -> DecodedSpans
    ) async -> Result<Accepted, Failure> {
        let result = await run(request, decode: decode)
        switch result {
        case .success(let accepted):
            metrics.accepted(protocol: wire, spans: accepted.outcome.stored, duplicates: accepted.outcome.duplicates)
            for (reason, count) in accepted.rejections.byReason {
                metrics.spansRejected(protocol: wire, reason: reason.rawValue, count: count)
            }
        case .failure(let failure):
            metrics.batchRejected(protocol: wire, reason: failure.metricReason)
        }
        return result
    }

    private func run(
        _ request: Request, decode: (ByteBuffer) throws(WireDecodingError) -> DecodedSpans
    ) async -> Result<Accepted, Failure> {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > configuration.maxRequestBytes {
            return .failure(.tooLarge("request body of \(length) bytes exceeds the limit of \(configuration.maxRequestBytes) bytes"))
        }
        let raw: ByteBuffer
        do {
            raw = try await request.body.collect(upTo: configuration.maxRequestBytes)
        } catch {
            return .failure(.tooLarge("request body exceeds the limit of \(configuration.maxRequestBytes) bytes"))
        }
        var decoded: DecodedSpans
        do {
            let body = try RequestBody.decode(
                raw, contentEncoding: request.headers[.contentEncoding], maxBytes: configuration.maxDecompressedBytes)
            decoded = try decode(body)
        } catch let failure as RequestBody.Failure {
            switch failure {
            case .tooLarge(let message): return .failure(.tooLarge(message))
            case .unsupportedEncoding(let message): return .failure(.unsupportedMediaType(message))
            case .corrupt(let message): return .failure(.undecodable(message))
            }
        } catch let error as WireDecodingError {
            return .failure(.undecodable(error.message))
        } catch {
            return .failure(.undecodable("\(error)"))
        }
        metrics.attributesLimited(limits.apply(to: &decoded.batch))
        do {
            let outcome = try await store.write(decoded.batch)
            return .success(Accepted(outcome: outcome, rejections: decoded.rejections))
        } catch let unavailable as StoreUnavailable {
            return .failure(.unavailable(unavailable.description))
        } catch {
            logger.error("span batch not stored", metadata: ["error": "\(error)"])
            return .failure(.unavailable("the span store failed to commit the batch"))
        }
    }
}
