import Foundation
import KeiroModel
import OTLPWire
import Store
import TestSupport
import Testing

@Suite struct OTLPIngestTests {
    @Test func gzipProtobufBatchIsReadBackFieldForField() async throws {
        try await withRunningCollector { collector throws in
            let trace = SpanFixtures.traceID(10)
            let span = SpanFixtures.everyField(
                trace: trace, id: SpanFixtures.spanID(1), parent: SpanFixtures.spanID(0), start: 1_700_000_000_123_456_789)
            let resource = Resource(
                attributes: [Attribute("service.name", .string("search-api")), Attribute("k8s.pod.name", .string("search-7f9"))],
                droppedAttributesCount: 2)
            let scope = InstrumentationScope(name: "keiro.proxy", version: "0.1.0", attributes: [Attribute("x", .bool(true))], droppedAttributesCount: 1)
            let batch = SpanBatch([ResourceSpans(resource: resource, scopeSpans: [ScopeSpans(scope: scope, spans: [span])])])

            let reply = try await collector.post("/v1/traces", body: try gzip(otlpBytes(batch)), headers: gzipProtobufHeaders)
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "application/x-protobuf")
            let response = try OTLPExportResponse(serializedBytes: reply.body)
            #expect(!response.hasPartialSuccess)

            let stored = try await collector.store.trace(trace)
            #expect(stored == [StoredSpan(span: span, resource: resource, scope: scope)])
        }
    }

    @Test func jsonBatchFromSpecCompliantEncoderIsReadBackFieldForField() async throws {
        // As OpenTelemetry SDKs write OTLP/JSON: hex ids (any case), int64 as strings or
        // numbers, integer enums, plus a field this collector does not know.
        let json = """
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}},
              {"key":"host.cpus","value":{"intValue":"8"}}],"droppedAttributesCount":1},
             "scopeSpans":[{"scope":{"name":"io.opentelemetry.http","version":"1.2.0","attributes":[{"key":"lib","value":{"boolValue":true}}]},
              "spans":[{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"eee19b7ec3c1b174","parentSpanId":"eee19b7ec3c1b173",
               "traceState":"rojo=00f067aa0ba902b7","name":"POST /checkout","kind":3,
               "startTimeUnixNano":"1544712660000000000","endTimeUnixNano":1544712661000000000,
               "attributes":[{"key":"http.request.method","value":{"stringValue":"POST"}},
                 {"key":"http.response.status_code","value":{"intValue":503}},
                 {"key":"ratio","value":{"doubleValue":0.25}},
                 {"key":"retried","value":{"boolValue":false}},
                 {"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":"2"}]}}},
                 {"key":"nested","value":{"kvlistValue":{"values":[{"key":"k","value":{"stringValue":"v"}}]}}},
                 {"key":"blob","value":{"bytesValue":"AAH+/w=="}}],
               "droppedAttributesCount":2,
               "events":[{"timeUnixNano":"1544712660500000000","name":"retry","attributes":[{"key":"attempt","value":{"intValue":"2"}}]}],
               "droppedEventsCount":1,
               "links":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","traceState":"x=1","flags":257}],
               "droppedLinksCount":3,
               "status":{"code":2,"message":"upstream failed"},"flags":769,"someFutureField":{"x":[1,2]}}]}]}]}
            """
        try await withRunningCollector { collector throws in
            let reply = try await collector.post("/v1/traces", body: Array(json.utf8), headers: ["content-type": "application/json"])
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "application/json")
            let trace = try #require(TraceID(hex: "5b8efff798038103d269b633813fc60c"))
            let stored = try await collector.store.trace(trace)
            let expected = Span(
                traceID: trace, spanID: SpanID(hex: "eee19b7ec3c1b174")!, parentSpanID: SpanID(hex: "eee19b7ec3c1b173")!,
                traceState: "rojo=00f067aa0ba902b7", name: "POST /checkout", kind: .client,
                startTimeUnixNano: 1_544_712_660_000_000_000, endTimeUnixNano: 1_544_712_661_000_000_000,
                attributes: [
                    Attribute("http.request.method", .string("POST")), Attribute("http.response.status_code", .int(503)),
                    Attribute("ratio", .double(0.25)), Attribute("retried", .bool(false)),
                    Attribute("tags", .array([.string("a"), .int(2)])), Attribute("nested", .map([Attribute("k", .string("v"))])),
                    Attribute("blob", .bytes([0, 1, 254, 255])),
                ],
                droppedAttributesCount: 2,
                events: [SpanEvent(timeUnixNano: 1_544_712_660_500_000_000, name: "retry", attributes: [Attribute("attempt", .int(2))])],
                droppedEventsCount: 1,
                links: [SpanLink(traceID: TraceID(hex: "0af7651916cd43dd8448eb211c80319c")!, spanID: SpanID(hex: "b7ad6b7169203331")!, traceState: "x=1", flags: 257)],
                droppedLinksCount: 3,
                status: SpanStatus(code: .error, message: "upstream failed"), flags: 769)
            #expect(stored.map(\.span) == [expected])
            #expect(stored.first?.span.traceID.bytes.count == 16)
            #expect(stored.first?.resource == Resource(attributes: [Attribute("service.name", .string("checkout")), Attribute("host.cpus", .int(8))], droppedAttributesCount: 1))
            #expect(stored.first?.scope == InstrumentationScope(name: "io.opentelemetry.http", version: "1.2.0", attributes: [Attribute("lib", .bool(true))]))
        }
    }

    @Test func duplicateBatchIsStoredOnce() async throws {
        try await withRunningCollector { collector throws in
            let body = try gzip(otlpBytes(simpleBatch(trace: 20, count: 50)))
            #expect(try await collector.post("/v1/traces", body: body, headers: gzipProtobufHeaders).status == 200)
            #expect(try await collector.post("/v1/traces", body: body, headers: gzipProtobufHeaders).status == 200)
            #expect(try await collector.store.trace(SpanFixtures.traceID(20)).count == 50)
            #expect(try await storedSpanCount(collector.store) == 50)
            let metrics = try await collector.get("/metrics").text
            #expect(metrics.contains("keiro_collector_spans_duplicate_total 50"))
            #expect(metrics.contains(#"keiro_collector_spans_accepted_total{protocol="otlp_protobuf"} 50"#))
        }
    }

    /// With a retention, a running collector drops expired segments by itself: the old
    /// trace is gone from the API, the newest segment's stays, and /metrics counts the spans.
    @Test func retentionDropsExpiredSpansAndCountsThem() async throws {
        try await withRunningCollector(configure: { $0.store.segmentSpans = 3; $0.store.retention = .milliseconds(200) }) { collector throws in
            for trace: UInt64 in [40, 41] {
                let body = try gzip(otlpBytes(simpleBatch(trace: trace, count: 3)))
                #expect(try await collector.post("/v1/traces", body: body, headers: gzipProtobufHeaders).status == 200)
            }
            let deadline = ContinuousClock.now + .seconds(10)
            var metrics = ""
            while !metrics.contains("keiro_store_spans_expired_total 3"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                metrics = try await collector.get("/metrics").text
            }
            #expect(metrics.contains("keiro_store_spans_expired_total 3"))
            #expect(metrics.contains("keiro_store_retention_duration_seconds_count 1"))
            #expect(try await collector.get("/api/traces/\(SpanFixtures.traceID(40))").status == 404)
            #expect(try await collector.get("/api/traces/\(SpanFixtures.traceID(41))").status == 200)
        }
    }

    @Test func summaryIsRightWhenATraceArrivesInThreeBatchesInReverseOrder() async throws {
        try await withRunningCollector { collector throws in
            let trace = SpanFixtures.traceID(30)
            let edge = SpanFixtures.httpServerSpan(
                trace: trace, id: SpanFixtures.spanID(1), parent: nil, start: 5_000, durationNanos: 10_000, route: "/search")
            let gateway = SpanFixtures.httpServerSpan(
                trace: trace, id: SpanFixtures.spanID(2), parent: edge.spanID, start: 5_100, durationNanos: 9_000, route: "/search",
                status: 504)
            let backend = SpanFixtures.httpServerSpan(
                trace: trace, id: SpanFixtures.spanID(3), parent: gateway.spanID, start: 5_200, durationNanos: 12_000,
                route: "/items")
            for (service, span) in [("search-api", backend), ("gateway", gateway), ("edge", edge)] {
                let reply = try await collector.post(
                    "/v1/traces", body: try otlpBytes(SpanFixtures.batch(service: service, spans: [span])), headers: protobufHeaders)
                #expect(reply.status == 200)
            }
            let summary = try #require(try await collector.store.traceSummary(trace))
            #expect(summary.spanCount == 3)
            #expect(summary.errorCount == 1)
            #expect(summary.hasRoot)
            #expect(summary.rootSpanID == edge.spanID)
            #expect(summary.rootService == "edge")
            #expect(summary.rootRoute == "/search")
            #expect(summary.startTimeUnixNano == 5_000)
            #expect(summary.durationNanos == 17_200 - 5_000)
        }
    }

    @Test func invalidSpansAreRejectedWithPartialSuccessAndTheRestStored() async throws {
        try await withRunningCollector { collector throws in
            var request = simpleBatch(trace: 40, count: 3).otlpRequest
            var spans = request.resourceSpans[0].scopeSpans[0].spans
            spans[0].traceID = Data()  // zero-length trace id
            spans[1].spanID = Data(repeating: 0, count: 8)  // all-zero span id
            var endsEarly = spans[2]
            endsEarly.spanID = Data(SpanFixtures.spanID(77).bytes)
            endsEarly.endTimeUnixNano = endsEarly.startTimeUnixNano - 1
            spans.append(endsEarly)
            request.resourceSpans[0].scopeSpans[0].spans = spans
            let reply = try await collector.post("/v1/traces", body: try request.serializedBytes(), headers: protobufHeaders)
            #expect(reply.status == 200)
            let response = try OTLPExportResponse(serializedBytes: reply.body)
            #expect(response.partialSuccess.rejectedSpans == 3)
            #expect(response.partialSuccess.errorMessage.contains("invalid_trace_id=1"))
            #expect(response.partialSuccess.errorMessage.contains("invalid_span_id=1"))
            #expect(response.partialSuccess.errorMessage.contains("end_before_start=1"))
            #expect(try await storedSpanCount(collector.store) == 1)
            let metrics = try await collector.get("/metrics").text
            #expect(metrics.contains(#"keiro_collector_spans_rejected_total{protocol="otlp_protobuf",reason="end_before_start"} 1"#))
        }
    }

    @Test func partialSuccessIsJSONForJSONRequests() async throws {
        try await withRunningCollector { collector throws in
            let json = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"AAAAAAAAAAAAAAAAAAAAAA==","spanId":"eee19b7ec3c1b174"}]}]}]}"#
            let reply = try await collector.post("/v1/traces", body: Array(json.utf8), headers: ["content-type": "application/json; charset=utf-8"])
            #expect(reply.status == 200)
            let object = try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any]
            let partial = object?["partialSuccess"] as? [String: Any]
            #expect(partial?["rejectedSpans"] as? String == "1")
            #expect((partial?["errorMessage"] as? String)?.contains("AAAAAAAAAAAAAAAAAAAAAA==") == true)
            #expect(try await storedSpanCount(collector.store) == 0)
        }
    }

    @Test func attributeLimitsTruncateAndCountDrops() async throws {
        try await withRunningCollector(configure: { $0.maxAttributesPerSpan = 2; $0.maxAttributeValueLength = 4 }) { collector throws in
            let trace = SpanFixtures.traceID(50)
            let span = Span(
                traceID: trace, spanID: SpanFixtures.spanID(1), name: "x", startTimeUnixNano: 1, endTimeUnixNano: 2,
                attributes: [Attribute("a", .string("abcdefgh")), Attribute("b", .int(1)), Attribute("c", .int(2))],
                droppedAttributesCount: 1)
            let reply = try await collector.post(
                "/v1/traces", body: try otlpBytes(SpanFixtures.batch(service: "s", spans: [span])), headers: protobufHeaders)
            #expect(reply.status == 200)
            let stored = try #require(try await collector.store.trace(trace).first?.span)
            #expect(stored.attributes == [Attribute("a", .string("abcd")), Attribute("b", .int(1))])
            #expect(stored.droppedAttributesCount == 1 + 1 + 1)  // sent, dropped "c", truncated "a"
        }
    }

    @Test func healthAndMetricsEndpointsAnswer() async throws {
        try await withRunningCollector { collector throws in
            let health = try await collector.get("/healthz")
            #expect(health.status == 200)
            let metrics = try await collector.get("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.text.contains("keiro_store_queue_spans 0"))
            #expect(metrics.text.contains("keiro_store_database_bytes"))
        }
    }
}
