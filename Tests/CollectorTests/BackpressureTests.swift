import GRDBSQLite
import Store
import TestSupport
import Testing

@Suite struct BackpressureTests {
    /// With the database locked by another process, the write queue fills: new requests get
    /// 503 with Retry-After at once, and the requests already queued are committed (and only
    /// then acknowledged) once the lock is released.
    @Test func fullWriteQueueAnswers503WithRetryAfterAndLosesNothingAcknowledged() async throws {
        try await withRunningCollector(configure: { $0.store.maxQueuedSpans = 1 }) { collector throws in
            // Another process's connection holding SQLite's write lock.
            var blocker: OpaquePointer?
            #expect(sqlite3_open(collector.store.configuration.path, &blocker) == SQLITE_OK)
            defer { sqlite3_close(blocker) }
            #expect(sqlite3_exec(blocker, "BEGIN IMMEDIATE", nil, nil, nil) == SQLITE_OK)

            let post = { @Sendable (trace: UInt64) in
                try await collector.post("/v1/traces", body: try otlpBytes(simpleBatch(trace: trace, count: 1)), headers: protobufHeaders)
            }
            // The first batch goes to the writer, which waits for the lock …
            let first = Task { try await post(1) }
            while collector.store.writingSpans == 0 { try await Task.sleep(for: .milliseconds(5)) }
            // … the second fills the queue …
            let second = Task { try await post(2) }
            while collector.store.queuedSpans == 0 { try await Task.sleep(for: .milliseconds(5)) }
            // … and the third is refused at once.
            let refused = try await post(3)
            #expect(refused.status == 503)
            #expect(refused.headers["retry-after"] == "1")

            #expect(sqlite3_exec(blocker, "COMMIT", nil, nil, nil) == SQLITE_OK)
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
