import AsyncHTTPClient
import KeiroModel
import NIOCore
import OTLPWire

/// One OTLP/HTTP export request (a body from ``ExportBodyEncoder``): the POST, reported as an
/// ``ExportAttemptOutcome`` (it never throws; retrying is the state machine's decision).
struct OTLPHTTPTransport: Sendable {
    typealias Instant = ContinuousClock.Instant

    let client: HTTPClient
    let endpoint: String
    let compression: ExportCompression

    /// Largest response body read (an `ExportTraceServiceResponse` or `google.rpc.Status`).
    static let maxResponseBytes = 1 << 20

    /// POSTs `body`. `deadline` bounds connecting and the response head (AsyncHTTPClient's
    /// deadline); the caller bounds the whole exchange by racing it (cancellation ends it).
    func send(_ body: ByteBuffer, deadline: Instant) async -> ExportAttemptOutcome {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-protobuf")
        if compression == .gzip { request.headers.add(name: "Content-Encoding", value: "gzip") }
        request.headers.add(name: "User-Agent", value: "keiro-span-export")
        request.body = .bytes(body)
        let nanoseconds = max(0, ContinuousClock.now.duration(to: deadline).nanoseconds)
        do {
            let response = try await client.execute(request, deadline: .now() + .nanoseconds(nanoseconds))
            let status = Int(response.status.code)
            let responseBody = try await response.body.collect(upTo: Self.maxResponseBytes)
            guard (200..<300).contains(status) else {
                return .status(status, retryAfter: ExportRetryPolicy.retryAfter(response.headers.first(name: "Retry-After")))
            }
            let decoded = try? OTLPExportResponse(serializedBytes: Array(responseBody.readableBytesView))
            return .accepted(rejectedSpans: Int(clamping: max(0, decoded?.partialSuccess.rejectedSpans ?? 0)))
        } catch {
            return .transportFailed(String(describing: error))
        }
    }
}
