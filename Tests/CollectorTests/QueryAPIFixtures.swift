import Foundation
import KeiroModel
import TestSupport
import Testing

/// Three traces posted over OTLP/HTTP before the query API tests, started a minute ago:
/// - `retried`: gateway SERVER `/search` (300 ms, header `feature: v1`) → two CLIENT tries
///   to search-api (the first 503, the second `resend_count` 1) → search-api SERVER.
/// - `failed`: gateway SERVER `/checkout`, 50 ms, 503.
/// - `other`: bff SERVER `/search`, 120 ms, header `feature: v2`.
enum QueryAPIFixtures {
    static let retried = SpanFixtures.traceID(7_001)
    static let failed = SpanFixtures.traceID(7_002)
    static let other = SpanFixtures.traceID(7_003)
    static let gatewayRoot = SpanFixtures.spanID(7_100)

    static let millisecond: UInt64 = 1_000_000

    /// Posts the three traces (gateway, search-api and bff batches) and checks each is stored.
    static func ingest(into collector: RunningCollector) async throws {
        let start = UInt64(Date().timeIntervalSince1970 * 1e9) - 60_000 * millisecond
        let gateway = SpanFixtures.batch(
            service: "gateway",
            spans: [
                SpanFixtures.httpServerSpan(
                    trace: retried, id: gatewayRoot, parent: nil, start: start, durationNanos: 300 * millisecond,
                    headers: ["feature": "v1"]),
                tryToSearch(start: start + 10 * millisecond, id: 7_101, status: 503, resend: nil),
                tryToSearch(start: start + 120 * millisecond, id: 7_102, status: 200, resend: 1),
                SpanFixtures.httpServerSpan(
                    trace: failed, id: SpanFixtures.spanID(7_200), parent: nil, start: start + 1_000 * millisecond,
                    durationNanos: 50 * millisecond, route: "/checkout", status: 503),
            ])
        let search = SpanFixtures.batch(
            service: "search-api",
            spans: [
                SpanFixtures.httpServerSpan(
                    trace: retried, id: SpanFixtures.spanID(7_103), parent: SpanFixtures.spanID(7_102),
                    start: start + 130 * millisecond, durationNanos: 100 * millisecond)
            ])
        let bff = SpanFixtures.batch(
            service: "bff",
            spans: [
                SpanFixtures.httpServerSpan(
                    trace: other, id: SpanFixtures.spanID(7_300), parent: nil, start: start + 2_000 * millisecond,
                    durationNanos: 120 * millisecond, headers: ["feature": "v2"])
            ])
        for batch in [gateway, search, bff] {
            let reply = try await collector.post("/v1/traces", body: try otlpBytes(batch), headers: protobufHeaders)
            #expect(reply.status == 200)
        }
    }

    /// A CLIENT try from the gateway's root span to search-api.
    private static func tryToSearch(start: UInt64, id: UInt64, status: Int64, resend: Int64?) -> Span {
        var attributes = [
            Attribute(SemanticAttributes.serverAddress, .string("search-api")),
            Attribute(SemanticAttributes.httpResponseStatusCode, .int(status)),
        ]
        if let resend { attributes.append(Attribute(SemanticAttributes.resendCount, .int(resend))) }
        return Span(
            traceID: retried, spanID: SpanFixtures.spanID(id), parentSpanID: gatewayRoot, name: "GET",
            kind: .client, startTimeUnixNano: start, endTimeUnixNano: start + 105 * millisecond, attributes: attributes,
            status: SpanStatus(code: status >= 500 ? .error : .unset))
    }

    /// The JSON object of a reply.
    static func object(_ reply: RunningCollector.Reply) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any])
    }

    /// The trace ids of a `GET /api/traces` reply, in order.
    static func traceIDs(_ reply: RunningCollector.Reply) throws -> [String] {
        let traces = try #require(try object(reply)["traces"] as? [[String: Any]])
        return traces.compactMap { $0["traceId"] as? String }
    }
}
