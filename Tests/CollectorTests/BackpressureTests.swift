import GRDB
import Store
import TestSupport
import Testing

@Suite struct BackpressureTests {
    /// With the database locked by another process, the write queue fills: new requests get
    /// 503 with Retry-After at once, and the requests already queued are committed (and only
    /// then acknowledged) once the lock is released.
    @Test func fullWriteQueueAnswers503WithRetryAfterAndLosesNothingAcknowledged() async throws {
        try await withRunningCollector(configure: { $0.store.maxQueuedSpans = 1 }) { collector throws in
            let blocker = try DatabaseQueue(path: collector.store.configuration.path)
            try blocker.writeWithoutTransaction { try $0.execute(sql: "BEGIN IMMEDIATE") }

            let first = Task { try await collector.post("/v1/traces", body: try otlpBytes(simpleBatch(trace: 1, count: 1)), headers: protobufHeaders) }
            let second = Task { try await collector.post("/v1/traces", body: try otlpBytes(simpleBatch(trace: 2, count: 1)), headers: protobufHeaders) }
            // One batch sits in the blocked writer, the other waits in the queue.
            while collector.store.queuedSpans == 0 { try await Task.sleep(for: .milliseconds(5)) }

            let refused = try await collector.post("/v1/traces", body: try otlpBytes(simpleBatch(trace: 3, count: 1)), headers: protobufHeaders)
            #expect(refused.status == 503)
            #expect(refused.headers["retry-after"] == "1")

            try blocker.writeWithoutTransaction { try $0.execute(sql: "COMMIT") }
            #expect(try await first.value.status == 200)
            #expect(try await second.value.status == 200)
            #expect(try await collector.store.traceSummary(SpanFixtures.traceID(1)) != nil)
            #expect(try await collector.store.traceSummary(SpanFixtures.traceID(2)) != nil)
            #expect(try await collector.store.traceSummary(SpanFixtures.traceID(3)) == nil)
            let metrics = try await collector.get("/metrics").text
            #expect(metrics.contains(#"keiro_collector_batches_rejected_total{protocol="otlp_protobuf",reason="unavailable"} 1"#))
        }
    }
}
