import KeiroModel
import Store
import TestSupport
import Testing

@Suite struct SQLiteSpanStoreTests {
    @Test func roundTripsEveryField() async throws {
        try await withTemporaryStore { store throws in
            let trace = SpanFixtures.traceID(1)
            let span = SpanFixtures.everyField(
                trace: trace, id: SpanFixtures.spanID(1), parent: SpanFixtures.spanID(0), start: 1_700_000_000_000_000_000)
            let resource = Resource(
                attributes: [Attribute("service.name", .string("bff")), Attribute("host.name", .string("node-1"))],
                droppedAttributesCount: 1)
            let scope = InstrumentationScope(name: "keiro", version: "0.1", attributes: [Attribute("a", .int(1))])
            let outcome = try await store.write(
                SpanBatch([ResourceSpans(resource: resource, scopeSpans: [ScopeSpans(scope: scope, spans: [span])])]))
            #expect(outcome == WriteOutcome(stored: 1, duplicates: 0))
            let stored = try await store.trace(trace)
            #expect(stored == [StoredSpan(span: span, resource: resource, scope: scope)])
            #expect(stored.first?.serviceName == "bff")
        }
    }

    @Test func sameBatchTwiceIsStoredOnce() async throws {
        try await withTemporaryStore { store throws in
            let trace = SpanFixtures.traceID(2)
            let spans = (0..<5).map { index in
                SpanFixtures.httpServerSpan(
                    trace: trace, id: SpanFixtures.spanID(UInt64(index)), parent: index == 0 ? nil : SpanFixtures.spanID(0),
                    start: 1_000 + UInt64(index), durationNanos: 10)
            }
            let batch = SpanFixtures.batch(service: "gateway", spans: spans)
            #expect(try await store.write(batch) == WriteOutcome(stored: 5, duplicates: 0))
            #expect(try await store.write(batch) == WriteOutcome(stored: 0, duplicates: 5))
            #expect(try await store.trace(trace).count == 5)
            #expect(try await store.traceSummary(trace)?.spanCount == 5)
        }
    }

    /// A retried export that carries an already stored trace beside new ones: the stored
    /// part is a duplicate, the chunk prepared with it is packed again without it.
    @Test func aBatchMixingStoredAndNewTracesStoresOnlyTheNew() async throws {
        try await withTemporaryStore { store throws in
            func spans(_ n: UInt64) -> [Span] { threeSpanTrace(n, durationNanos: 10) }
            _ = try await store.write(SpanFixtures.batch(service: "gateway", spans: spans(1)))
            let mixed = SpanFixtures.batch(service: "gateway", spans: spans(2) + spans(1) + spans(3))
            #expect(try await store.write(mixed) == WriteOutcome(stored: 6, duplicates: 3))
            for n: UInt64 in 1...3 {
                #expect(try await store.trace(SpanFixtures.traceID(n)).map(\.span) == spans(n))
                #expect(try await store.traceSummary(SpanFixtures.traceID(n))?.spanCount == 3)
            }
        }
    }

    /// Enough traces that the writer's multi-row insert of search entries (32 rows a run)
    /// runs full and with a remainder, with stored parts at every position and the same
    /// parts twice in one batch (a second scope repeating them).
    @Test func manyTracesWithDuplicatesAcrossStatementRuns() async throws {
        try await withTemporaryStore { store throws in
            func spans(_ n: UInt64) -> [Span] {
                threeSpanTrace(n, durationNanos: 10 + n, route: "/r\(n % 5)", headers: ["feature": "f\(n)"])
            }
            let odd = Array(stride(from: UInt64(1), through: 69, by: 2))
            #expect(try await store.write(SpanFixtures.batch(service: "gateway", spans: odd.flatMap(spans))).stored == 105)
            var mixed = SpanFixtures.batch(service: "gateway", spans: (1...70).flatMap(spans))
            mixed.resourceSpans[0].scopeSpans.append(mixed.resourceSpans[0].scopeSpans[0])
            mixed.resourceSpans[0].scopeSpans[1].spans = (60...70).flatMap(spans)
            #expect(try await store.write(mixed) == WriteOutcome(stored: 105, duplicates: 105 + 33))
            for n: UInt64 in 1...70 {
                #expect(try await store.trace(SpanFixtures.traceID(n)).map(\.span) == spans(n))
                let summary = try await store.traceSummary(SpanFixtures.traceID(n))
                #expect(summary?.spanCount == 3 && summary?.durationNanos == 12 + n)
            }
            #expect(try await store.findTraces(TraceQuery(service: "gateway", limit: 100)).count == 70)
            #expect(try await store.findTraces(TraceQuery(route: "/r3", limit: 100)).count == 14)
            for n: UInt64 in [1, 32, 33, 64, 70] {
                let found = try await store.findTraces(TraceQuery(headers: ["feature": "f\(n)"]))
                #expect(found.map(\.traceID) == [SpanFixtures.traceID(n)])
            }
        }
    }

    @Test func sharedClientServerSpanIDsAreBothKept() async throws {
        try await withTemporaryStore { store throws in
            let trace = SpanFixtures.traceID(3)
            let id = SpanFixtures.spanID(7)
            var client = SpanFixtures.httpServerSpan(trace: trace, id: id, parent: nil, start: 10, durationNanos: 100)
            client.kind = .client
            let server = SpanFixtures.httpServerSpan(trace: trace, id: id, parent: nil, start: 20, durationNanos: 50)
            #expect(try await store.write(SpanFixtures.batch(service: "envoy", spans: [client, server])).stored == 2)
            #expect(try await store.trace(trace).map(\.span.kind) == [.client, .server])
        }
    }

    /// With one-span segments every batch lands in a new segment: the per-segment summary
    /// rows must merge into the same answer.
    @Test(arguments: [262_144, 1])
    func summaryIsRightWhenBatchesArriveInReverseOrder(segmentSpans: Int) async throws {
        try await withTemporaryStore(configuration: { $0.segmentSpans = segmentSpans }) { store throws in
            let trace = SpanFixtures.traceID(4)
            let root = SpanFixtures.httpServerSpan(
                trace: trace, id: SpanFixtures.spanID(0), parent: nil, start: 1_000, durationNanos: 900, route: "/aggregate")
            let child = SpanFixtures.httpServerSpan(
                trace: trace, id: SpanFixtures.spanID(1), parent: root.spanID, start: 1_100, durationNanos: 300,
                route: "/search", status: 503)
            let grandchild = SpanFixtures.httpServerSpan(
                trace: trace, id: SpanFixtures.spanID(2), parent: child.spanID, start: 1_150, durationNanos: 1_000,
                route: "/items")
            _ = try await store.write(SpanFixtures.batch(service: "backend", spans: [grandchild]))
            let partial = try #require(try await store.traceSummary(trace))
            #expect(!partial.hasRoot)
            #expect(partial.rootService == "backend")
            _ = try await store.write(SpanFixtures.batch(service: "search-api", spans: [child]))
            _ = try await store.write(SpanFixtures.batch(service: "gateway", spans: [root]))
            let summary = try #require(try await store.traceSummary(trace))
            #expect(summary.hasRoot)
            #expect(summary.rootSpanID == root.spanID)
            #expect(summary.rootService == "gateway")
            #expect(summary.rootName == "GET /aggregate")
            #expect(summary.rootRoute == "/aggregate")
            #expect(summary.startTimeUnixNano == 1_000)
            #expect(summary.durationNanos == 2_150 - 1_000)
            #expect(summary.spanCount == 3)
            #expect(summary.errorCount == 1)
        }
    }

    @Test func aSpanResentIntoALaterSegmentIsReadOnce() async throws {
        try await withTemporaryStore(configuration: { $0.segmentSpans = 1 }) { store throws in
            let trace = SpanFixtures.traceID(6)
            let batch = SpanFixtures.batch(
                service: "gateway",
                spans: [SpanFixtures.httpServerSpan(trace: trace, id: SpanFixtures.spanID(1), parent: nil, start: 1, durationNanos: 5)])
            _ = try await store.write(batch)
            _ = try await store.write(SpanFixtures.batch(service: "x", spans: [
                SpanFixtures.httpServerSpan(trace: SpanFixtures.traceID(7), id: SpanFixtures.spanID(1), parent: nil, start: 2, durationNanos: 5)
            ]))
            _ = try await store.write(batch)  // a new segment by now: stored again, collapsed on read
            #expect(try await store.trace(trace).count == 1)
            #expect(try await store.findTraces(TraceQuery(limit: 10)).map(\.traceID) == [SpanFixtures.traceID(7), trace])
        }
    }

    @Test func listsTracesNewestFirstAndByService() async throws {
        try await withTemporaryStore { store throws in
            for index in 0..<6 {
                let trace = SpanFixtures.traceID(UInt64(100 + index))
                let span = SpanFixtures.httpServerSpan(
                    trace: trace, id: SpanFixtures.spanID(0), parent: nil, start: UInt64(index) * 1_000, durationNanos: 10)
                _ = try await store.write(SpanFixtures.batch(service: index.isMultiple(of: 2) ? "even" : "odd", spans: [span]))
            }
            let newest = try await store.findTraces(TraceQuery(limit: 2))
            #expect(newest.map(\.traceID) == [SpanFixtures.traceID(105), SpanFixtures.traceID(104)])
            let even = try await store.findTraces(TraceQuery(service: "even", limit: 10))
            #expect(even.map(\.traceID) == [104, 102, 100].map { SpanFixtures.traceID($0) })
            #expect(try await store.findTraces(TraceQuery(service: "nobody", limit: 10)).isEmpty)
        }
    }

    @Test func fullQueueFailsFastInsteadOfWaiting() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // No writer is running, so the queue only fills.
        let store = try SQLiteSpanStore(configuration: StoreConfiguration(path: directory.file("q.sqlite"), maxQueuedSpans: 4))
        let spans = (0..<3).map {
            SpanFixtures.httpServerSpan(
                trace: SpanFixtures.traceID(5), id: SpanFixtures.spanID(UInt64($0)), parent: nil, start: 1, durationNanos: 1)
        }
        let first = Task { try await store.write(SpanFixtures.batch(service: "a", spans: spans)) }
        while store.queuedSpans == 0 { await Task.yield() }
        await #expect(throws: StoreUnavailable(reason: .queueFull)) {
            try await store.write(SpanFixtures.batch(service: "a", spans: spans))
        }
        // Draining commits the queued batch: it was accepted, so it must not be lost.
        store.close()
        await store.run()
        #expect(try await first.value.stored == 3)
        await #expect(throws: StoreUnavailable(reason: .closed)) {
            try await store.write(SpanFixtures.batch(service: "a", spans: spans))
        }
    }
}

@Suite struct SixtyFourBitPartTests {
    @Test func a128BitTraceBringsItsLow64BitPart() async throws {
        try await withTemporaryStore { store throws in
            let long = TraceID(high: 0x4bf9_2f35_77b3_4da6, low: 0xa3ce_929d_0e0e_4736)
            let short = TraceID(high: 0, low: long.low)
            let root = SpanFixtures.httpServerSpan(trace: long, id: SpanFixtures.spanID(1), parent: nil, start: 100, durationNanos: 50)
            let hop = SpanFixtures.httpServerSpan(trace: short, id: SpanFixtures.spanID(2), parent: root.spanID, start: 110, durationNanos: 20)
            _ = try await store.write(SpanFixtures.batch(service: "gateway", spans: [root]))
            _ = try await store.write(SpanFixtures.batch(service: "envoy", spans: [hop]))
            #expect(try await store.traceWith64BitPart(long).map(\.span) == [root, hop])
            #expect(try await store.traceWith64BitPart(short).map(\.span) == [hop])
            #expect(try await store.trace(long).map(\.span) == [root])
        }
    }
}

/// Trace `n`: a root and two children (span ids `n*10`…`n*10+2`) starting 1 ns apart at `1000 n`.
private func threeSpanTrace(
    _ n: UInt64, durationNanos: UInt64, route: String = "/search", headers: [String: String] = [:]
) -> [Span] {
    (0..<3).map { index in
        SpanFixtures.httpServerSpan(
            trace: SpanFixtures.traceID(n), id: SpanFixtures.spanID(n * 10 + index),
            parent: index == 0 ? nil : SpanFixtures.spanID(n * 10), start: 1_000 * n + index,
            durationNanos: durationNanos, route: route, headers: headers)
    }
}
