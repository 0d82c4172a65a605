import Foundation
import KeiroModel
import TestSupport
import Testing

/// The read-only JSON API over a live collector on 127.0.0.1: traces ingested over OTLP,
/// then found, opened and folded over HTTP.
@Suite struct QueryAPITests {
    typealias F = QueryAPIFixtures

    @Test func searchFiltersAndOrders() async throws {
        try await withRunningCollector { collector in
            try await F.ingest(into: collector)
            let (retried, failed, other) = (F.retried.hexString, F.failed.hexString, F.other.hexString)
            let cases: [(query: String, expected: [String])] = [
                ("", [other, failed, retried]),
                ("service=gateway", [failed, retried]),
                ("service=search-api", [retried]),
                ("header=feature=v1", [retried]),
                ("header=feature%3Dv2&service=bff", [other]),
                ("header=feature=v1&header=x-request-id=r1", []),
                ("route=/checkout", [failed]),
                ("path-prefix=/search/", [other, retried]),
                ("flag=retried", [retried]),
                ("flag=retry", [retried]),
                ("flag=retry&flag=error", []),  // its 503 was absorbed by the retry: the request did not fail
                ("flag=error", [failed]),
                ("status=503&order=oldest", [retried, failed]),
                ("errors=true&service=gateway", [failed, retried]),
                ("min-duration=250ms", [retried]),
                ("max-duration=100ms", [failed]),
                ("min-span-duration=100ms&service=search-api", [retried]),
                ("since=1h&order=longest&limit=2", [retried, other]),
                ("order=shortest", [failed, other, retried]),
                ("end=1000000000", []),
                ("operation=GET%20/checkout", [failed]),
            ]
            for (query, expected) in cases {
                let reply = try await collector.get("/api/traces?" + query)
                #expect(reply.status == 200, "\(query): \(reply.text)")
                #expect(reply.headers["content-type"] == "application/json")
                let found = try F.traceIDs(reply)
                #expect(found == expected, "\(query): \(found)")
            }
        }
    }

    @Test func summaryFields() async throws {
        try await withRunningCollector { collector in
            try await F.ingest(into: collector)
            let reply = try await collector.get("/api/traces?route=/search&service=gateway")
            let summary = try #require((try F.object(reply)["traces"] as? [[String: Any]])?.first)
            #expect(summary["traceId"] as? String == F.retried.hexString)
            #expect(summary["rootService"] as? String == "gateway")
            #expect(summary["rootName"] as? String == "GET /search")
            #expect(summary["rootRoute"] as? String == "/search")
            #expect(summary["rootSpanId"] as? String == F.gatewayRoot.hexString)
            #expect(summary["spanCount"] as? Int == 4)
            #expect(summary["errorCount"] as? Int == 1)
            #expect(summary["durationNanos"] as? Int == 300_000_000)
            #expect(summary["flags"] as? [String] == ["retried"])
            let start = try #require(summary["startTimeUnixNano"] as? Int)
            let rfc3339 = try #require(summary["start"] as? String)
            let parsed = try #require(try? Date(rfc3339, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)))
            #expect(abs(parsed.timeIntervalSince1970 - Double(start) / 1e9) < 0.001, "\(rfc3339) vs \(start)")
            #expect(rfc3339.hasSuffix("Z"))
        }
    }

    @Test func traceByID() async throws {
        try await withRunningCollector { collector in
            try await F.ingest(into: collector)
            let reply = try await collector.get("/api/traces/" + F.retried.hexString)
            #expect(reply.status == 200)
            let document = try F.object(reply)
            let summary = try #require(document["summary"] as? [String: Any])
            #expect(summary["spanCount"] as? Int == 4)
            let spans = try #require(document["spans"] as? [[String: Any]])
            #expect(Set(spans.compactMap { $0["service"] as? String }) == ["gateway", "search-api"])
            #expect(spans.contains { $0["kind"] as? String == "CLIENT" && $0["parentSpanId"] as? String == F.gatewayRoot.hexString })
            let search = try #require(spans.first { $0["service"] as? String == "search-api" })
            #expect((search["attributes"] as? [String: Any])?["http.route"] as? String == "/search")
            #expect((search["resource"] as? [String: Any])?["service.name"] as? String == "search-api")

            let tree = try #require(document["tree"] as? [String: Any])
            let nodes = try #require(tree["nodes"] as? [[String: Any]])
            #expect(nodes.map { $0["depth"] as? Int } == [0, 1, 1, 2])
            #expect(nodes.map { ($0["hop"] as? [String: Any])?["role"] as? String } == ["gateway", "gateway", "gateway", "service"])
            #expect(nodes[0]["parentIndex"] == nil)
            #expect(nodes[3]["parentIndex"] as? Int == 2)
            // The root waited on the failed try, then on the retry and search-api under it.
            #expect(nodes.map { $0["onCriticalPath"] as? Bool } == [true, true, true, true])
            #expect(nodes[1]["criticalPathNanos"] as? Int == 105_000_000)
            #expect(nodes.compactMap { $0["criticalPathNanos"] as? Int }.reduce(0, +) == 300_000_000)
            #expect(nodes[3]["selfTimeNanos"] as? Int == 100_000_000)

            #expect((document["flags"] as? [String])?.contains("retried") == true)
            let findings = try #require(document["findings"] as? [[String: Any]])
            let retry = try #require(findings.first { $0["flag"] as? String == "retried" })
            #expect((retry["evidence"] as? String)?.contains("search-api") == true)
            #expect(retry["inferred"] as? Bool == false)
            #expect((retry["spanIds"] as? [String])?.isEmpty == false)
        }
    }

    @Test func flameOfOneTraceAndOfMany() async throws {
        try await withRunningCollector { collector in
            try await F.ingest(into: collector)
            let one = try await collector.get("/api/traces/\(F.retried.hexString)/flame")
            #expect(one.status == 200)
            #expect(one.headers["content-type"]?.hasPrefix("text/plain") == true)
            #expect(one.text.contains("gateway: GET /search;gateway: GET;search-api: GET /search 100000\n"))

            let gateway = try await collector.get("/api/flame?service=gateway")
            #expect(gateway.status == 200)
            #expect(gateway.text.contains("gateway: GET /checkout 50000\n"))
            #expect(gateway.text.contains("search-api: GET /search 100000\n"))
            #expect(!gateway.text.contains("bff"))

            let byFlag = try await collector.get("/api/flame?flag=retried&limit=1")
            #expect(!byFlag.text.contains("/checkout"))
            #expect(byFlag.text.contains("search-api"))

            let none = try await collector.get("/api/flame?service=nobody")
            #expect(none.status == 200)
            #expect(none.text.isEmpty)
        }
    }

    @Test func services() async throws {
        try await withRunningCollector { collector in
            #expect(try F.object(try await collector.get("/api/services"))["services"] as? [String] == [])
            try await F.ingest(into: collector)
            let reply = try await collector.get("/api/services")
            #expect(reply.status == 200)
            #expect(try F.object(reply)["services"] as? [String] == ["bff", "gateway", "search-api"])
        }
    }

    @Test func badParametersAre400WithJSON() async throws {
        try await withRunningCollector { collector in
            let cases: [(path: String, parameter: String)] = [
                ("/api/traces?min-duration=fast", "min-duration"),
                ("/api/traces?bogus=1", "bogus"),
                ("/api/traces?flag=slow", "flag"),
                ("/api/traces?header=feature", "header"),
                ("/api/traces?header=feature=v1&header=feature=v2", "header"),
                ("/api/traces?limit=0", "limit"),
                ("/api/traces?order=random", "order"),
                ("/api/traces?min-duration=2s&max-duration=1s", "min-duration"),
                ("/api/flame?since=yesterday", "since"),
                ("/api/flame?limit=5000", "limit"),
                ("/api/traces/not-hex", "traceID"),
                ("/api/traces/abc/flame", "traceID"),
            ]
            for (path, parameter) in cases {
                let reply = try await collector.get(path)
                #expect(reply.status == 400, "\(path)")
                #expect(reply.headers["content-type"] == "application/json", "\(path)")
                let body = try F.object(reply)
                #expect(body["parameter"] as? String == parameter, "\(path): \(reply.text)")
                #expect((body["error"] as? String)?.isEmpty == false, "\(path)")
            }
        }
    }

    @Test func unknownTraceIs404WithJSON() async throws {
        try await withRunningCollector { collector in
            try await F.ingest(into: collector)
            let unknown = SpanFixtures.traceID(99_999).hexString
            for path in ["/api/traces/\(unknown)", "/api/traces/\(unknown)/flame"] {
                let reply = try await collector.get(path)
                #expect(reply.status == 404, "\(path)")
                let body = try F.object(reply)
                #expect(body["error"] as? String == "trace \(unknown) is not stored")
                #expect(body["parameter"] == nil)
            }
        }
    }

    /// A Zipkin/B3 hop that sent only the low 64 bits of the trace id is joined into the
    /// 128-bit trace it belongs to.
    @Test func traceJoinsItsB3SixtyFourBitHop() async throws {
        try await withRunningCollector { collector in
            try await F.ingest(into: collector)
            let short = TraceID(high: 0, low: F.retried.low)
            let zipkin = """
                [{"traceId":"\(short.hexString.suffix(16))","id":"\(SpanFixtures.spanID(7_400).hexString)",
                  "parentId":"\(SpanFixtures.spanID(7_103).hexString)","name":"select","kind":"CLIENT",
                  "timestamp":\((UInt64(Date().timeIntervalSince1970 * 1e9) - 59_000 * F.millisecond) / 1000),"duration":1000,
                  "localEndpoint":{"serviceName":"search-db"}}]
                """
            #expect(try await collector.post("/api/v2/spans", body: Array(zipkin.utf8), headers: ["content-type": "application/json"]).status == 202)
            let document = try F.object(try await collector.get("/api/traces/" + F.retried.hexString))
            let spans = try #require(document["spans"] as? [[String: Any]])
            #expect(spans.count == 5)
            #expect(spans.contains { $0["service"] as? String == "search-db" && $0["traceId"] as? String == short.hexString })
            let warnings = try #require((document["tree"] as? [String: Any])?["warnings"] as? [String])
            #expect(warnings.contains { $0.contains("joined trace \(short.hexString)") })
        }
    }
}
