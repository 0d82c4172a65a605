import Analyzer
import Foundation
import Store
import TestSupport
import Testing

/// `schemas/openapi.yaml` describes exactly the routes the collector serves, the query
/// parameters `TraceQuery` parses, and the JSON the server really returns.
@Suite struct OpenAPITests {
    @Test func documentsEveryRouteAndNothingElse() async throws {
        try await withRunningCollector { collector in
            let document = try OpenAPIDocument()
            let served = Set(collector.collector.router().routes.map(\.description))
            #expect(served.count >= 9)
            #expect(served == document.operations, "served only: \(served.subtracting(document.operations)); documented only: \(document.operations.subtracting(served))")
        }
    }

    @Test func queryParametersAndFlagsMatchTheParser() throws {
        let document = try OpenAPIDocument()
        for path in ["/api/traces", "/api/flame"] {
            #expect(document.parameterNames("GET", path, in: "query") == TraceQuery.parameterHelp.map(\.name), "\(path)")
        }
        let parameters = (document.root["components"] as? [String: Any])?["parameters"] as? [String: Any]
        let flagItems = ((parameters?["flag"] as? [String: Any])?["schema"] as? [String: Any])?["items"] as? [String: Any]
        #expect(flagItems?["enum"] as? [String] == TraceFlags.searchableNames)
        let flagNames = (document.validator.resolve("#/components/schemas/FlagNames")?["items"] as? [String: Any])?["enum"] as? [String]
        #expect(flagNames == TraceFlags.names.map(\.name))
    }

    @Test func examplesMatchTheirSchemas() throws {
        let document = try OpenAPIDocument()
        let examples = document.responseExamples
        #expect(examples.count >= 6)
        for (place, example, schema) in examples {
            #expect(document.validator.validate(example, against: schema, at: place) == [])
        }
    }

    /// Real replies of every JSON endpoint (success and error) validate against the
    /// documented schema, which forbids unknown fields and requires the fields always sent.
    @Test func realRepliesMatchTheSchemas() async throws {
        try await withRunningCollector { collector in
            let document = try OpenAPIDocument()
            try await QueryAPIFixtures.ingest(into: collector)
            let traceID = QueryAPIFixtures.retried.hexString
            let unknown = SpanFixtures.traceID(99_999).hexString
            let gets: [(url: String, template: String, status: Int)] = [
                ("/api/traces?service=gateway", "/api/traces", 200),
                ("/api/traces?min-duration=soon", "/api/traces", 400),
                ("/api/traces/\(traceID)", "/api/traces/{traceID}", 200),
                ("/api/traces/xyz", "/api/traces/{traceID}", 400),
                ("/api/traces/\(unknown)", "/api/traces/{traceID}", 404),
                ("/api/traces/\(traceID)/flame", "/api/traces/{traceID}/flame", 200),
                ("/api/traces/\(unknown)/flame", "/api/traces/{traceID}/flame", 404),
                ("/api/flame?route=/search", "/api/flame", 200),
                ("/api/flame?limit=-1", "/api/flame", 400),
                ("/api/services", "/api/services", 200),
                ("/healthz", "/healthz", 200),
                ("/metrics", "/metrics", 200),
            ]
            for (url, template, status) in gets {
                let reply = try await collector.get(url)
                #expect(reply.status == status, "\(url)")
                #expect(document.check(reply, "GET", template) == [])
            }
            let otlpJSON = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"AAAAAAAAAAAAAAAAAAAAAA==","spanId":"eee19b7ec3c1b174"}]}]}]}"#
            let posts: [(path: String, body: [UInt8], headers: [String: String], status: Int)] = [
                ("/v1/traces", Array(otlpJSON.utf8), ["content-type": "application/json"], 200),
                ("/v1/traces", Array("{".utf8), ["content-type": "application/json"], 400),
                ("/v1/traces", [1], ["content-type": "text/plain"], 415),
                ("/api/v2/spans", Array("[]".utf8), ["content-type": "application/json"], 202),
                ("/api/v2/spans", Array("[".utf8), ["content-type": "application/json"], 400),
            ]
            for (path, body, headers, status) in posts {
                let reply = try await collector.post(path, body: body, headers: headers)
                #expect(reply.status == status, "\(path) \(status)")
                #expect(document.check(reply, "POST", path) == [])
            }
        }
    }

    /// 413 and 503 (with Retry-After) are documented for both ingest routes.
    @Test func ingestLimitsAndBackPressureAreDocumented() async throws {
        try await withRunningCollector(configure: { $0.maxRequestBytes = 16 }) { collector in
            let document = try OpenAPIDocument()
            for path in ["/v1/traces", "/api/v2/spans"] {
                let reply = try await collector.post(path, body: Array(repeating: 32, count: 64), headers: ["content-type": "application/json"])
                #expect(reply.status == 413)
                #expect(document.check(reply, "POST", path) == [])
                let unavailable = try #require(document.response("POST", path, status: 503))
                #expect((unavailable["headers"] as? [String: Any])?["Retry-After"] != nil)
            }
        }
    }
}
