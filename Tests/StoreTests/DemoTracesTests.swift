import Analyzer
import KeiroModel
import Store
import TestSupport
import Testing

/// `DemoTraces` yields what the query benchmark claims: complete demo-topology traces in
/// proxy-shaped batches, with the advertised share of flags, spread over the window.
@Suite struct DemoTracesTests {
    private static let end: UInt64 = 1_800_000_000_000_000_000

    /// 60k spans over 6 minutes: the span rate of 1M spans over 2 hours.
    private static let window: UInt64 = 360_000_000_000

    private static func generate(spans: Int, seed: UInt64 = 7) -> (DemoTraces, [SpanBatch]) {
        var traffic = DemoTraces(seed: seed, spans: spans, endNanos: end, window: .nanoseconds(Int64(window)))
        var batches: [SpanBatch] = []
        while let batch = traffic.next() { batches.append(batch) }
        return (traffic, batches)
    }

    @Test func sameSeedSameBatches() {
        #expect(Self.generate(spans: 5_000).1 == Self.generate(spans: 5_000).1)
        #expect(Self.generate(spans: 5_000).1 != Self.generate(spans: 5_000, seed: 8).1)
    }

    @Test func batchesAreOneProcessEachAndTracesAreComplete() {
        let (traffic, batches) = Self.generate(spans: 60_000)
        #expect(batches.reduce(0) { $0 + $1.spanCount } == traffic.spansGenerated)
        #expect(traffic.spansGenerated >= 60_000)
        let perTrace = Double(traffic.spansGenerated) / Double(traffic.tracesGenerated)
        #expect(perTrace > 8 && perTrace < 11)
        #expect(batches.allSatisfy { $0.resourceSpans.count == 1 && $0.spanCount <= 2048 })
        #expect(batches.filter { $0.spanCount >= 512 }.count * 2 > batches.count)

        var byTrace: [TraceID: [Span]] = [:]
        for batch in batches { for entry in batch.flattened { byTrace[entry.span.traceID, default: []].append(entry.span) } }
        #expect(byTrace.count == traffic.tracesGenerated)
        for spans in byTrace.values {
            let ids = Set(spans.map(\.spanID))
            #expect(spans.filter { $0.parentSpanID == nil }.count == 1)
            #expect(spans.allSatisfy { $0.parentSpanID.map(ids.contains) ?? true })
        }
        let recorded = byTrace.values.map { $0.reduce(into: TraceFlags()) { $0.formUnion(.recorded(by: $1)) } }
        func share(_ flags: TraceFlags) -> Double { Double(recorded.filter { $0.intersects(flags) }.count) / Double(recorded.count) }
        #expect((0.015...0.05).contains(share(.retried)))
        #expect((0.005...0.02).contains(share([.perTryTimeout, .overallTimeout])))
        #expect(share(.overallTimeout) > 0)
        #expect((0.07...0.15).contains(share(.canary)))
        #expect((0.15...0.3).contains(share(.headerRoute)))

        let starts = byTrace.values.map { $0.map(\.startTimeUnixNano).min()! }
        let lastHalf = Double(starts.filter { $0 >= Self.end - Self.window / 2 }.count) / Double(starts.count)
        #expect((0.45...0.55).contains(lastHalf))
        #expect(starts.allSatisfy { $0 >= Self.end - Self.window && $0 <= Self.end })
    }

    @Test func storedTraceRebuildsWithoutMissingParents() async throws {
        let (_, batches) = Self.generate(spans: 20_000)
        try await withTemporaryStore { store in
            #expect(try store.insertDirectly(batches).stored == batches.reduce(0) { $0 + $1.spanCount })
            let found = try await store.findTraces(TraceQuery(route: "/aggregate", limit: 5))
            #expect(found.count == 5)
            for summary in found {
                let spans = try await store.trace(summary.traceID)
                #expect(spans.count == summary.spanCount && spans.count >= 14)
                let tree = TraceTree(
                    spans.map { AnalyzedSpan(span: $0.span, service: $0.serviceName, resource: $0.resource) },
                    options: TreeOptions(traceID: summary.traceID))
                #expect(!tree.nodes.contains { $0.isMissingParent })
                #expect(tree.nodes.filter { $0.parent == nil }.count == 1)
            }
        }
    }
}
