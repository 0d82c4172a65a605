import KeiroModel
import Store
import TestSupport
import Testing

@Suite struct ZipkinIngestTests {
    @Test func zipkinBatchWithEnvoySharedSpansIsReadBackFieldForField() async throws {
        // What Envoy sends: 64-bit trace id, a client span and the server span sharing its id.
        let json = """
            [{"traceId":"a3ce929d0e0e4736","id":"00f067aa0ba902b7","parentId":"5af7183fb1d4cf5f","name":"ingress",
              "kind":"CLIENT","timestamp":1700000000000100,"duration":2500,
              "localEndpoint":{"serviceName":"bff","ipv4":"10.0.0.5"},
              "remoteEndpoint":{"serviceName":"search-api","ipv4":"10.0.0.9","port":8080},
              "annotations":[{"timestamp":1700000000000200,"value":"ws"}],
              "tags":{"http.method":"GET","http.path":"/search","http.status_code":"503","error":"503 upstream","upstream_cluster":"outbound|80|primary|search"}},
             {"traceId":"a3ce929d0e0e4736","id":"00f067aa0ba902b7","parentId":"5af7183fb1d4cf5f","name":"ingress",
              "kind":"SERVER","timestamp":1700000000000300,"duration":2000,"shared":true,
              "localEndpoint":{"serviceName":"search-api"},"tags":{"guid:x-request-id":"r-1"}}]
            """
        try await withRunningCollector { collector throws in
            let reply = try await collector.post("/api/v2/spans", body: try gzip(Array(json.utf8)), headers: ["content-type": "application/json", "content-encoding": "gzip"])
            #expect(reply.status == 202)
            let trace = TraceID(high: 0, low: 0xa3ce_929d_0e0e_4736)
            let stored = try await collector.store.trace(trace)
            #expect(stored.count == 2)
            let client = try #require(stored.first { $0.span.kind == .client })
            let server = try #require(stored.first { $0.span.kind == .server })
            #expect(client.serviceName == "bff")
            #expect(server.serviceName == "search-api")
            #expect(client.span.spanID == server.span.spanID)
            #expect(client.span.parentSpanID == SpanID(hex: "5af7183fb1d4cf5f"))
            #expect(client.span.startTimeUnixNano == 1_700_000_000_000_100_000)
            #expect(client.span.endTimeUnixNano == 1_700_000_000_000_100_000 + 2_500_000)
            #expect(client.span.status == SpanStatus(code: .error, message: "503 upstream"))
            #expect(client.span.events == [SpanEvent(timeUnixNano: 1_700_000_000_000_200_000, name: "ws")])
            #expect(client.span.attributes == [
                Attribute("error", .string("503 upstream")), Attribute("http.method", .string("GET")),
                Attribute("http.path", .string("/search")), Attribute("http.status_code", .string("503")),
                Attribute("upstream_cluster", .string("outbound|80|primary|search")),
                Attribute("peer.service", .string("search-api")), Attribute("network.peer.address", .string("10.0.0.9")),
                Attribute("network.peer.port", .int(8080)), Attribute("network.local.address", .string("10.0.0.5")),
            ])
            #expect(server.span.attributes[SemanticAttributes.zipkinShared] == .bool(true))
            let summary = try #require(try await collector.store.traceSummary(trace))
            #expect(summary.spanCount == 2)
            #expect(summary.errorCount == 1)
            #expect(summary.rootRoute == "/search")  // Zipkin's http.path
        }
    }

    @Test func plainZipkinWithoutContentTypeIsAccepted() async throws {
        try await withRunningCollector { collector throws in
            let json = #"[{"traceId":"463ac35c9f6413ad48485a3953bb6124","id":"a2fb4a1d1a96d312","name":"get","timestamp":1,"duration":1,"localEndpoint":{"serviceName":"frontend"}}]"#
            let reply = try await collector.post("/api/v2/spans", body: Array(json.utf8), headers: [:])
            #expect(reply.status == 202)
            #expect(try await storedSpanCount(collector.store) == 1)
        }
    }
}
