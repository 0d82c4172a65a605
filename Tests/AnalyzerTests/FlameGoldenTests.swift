import Analyzer
import KeiroModel
import Testing

/// Folded stacks over many trees, the differential format, frame cleaning, terminal view.
@Suite struct FlameGoldenTests {
    /// gateway 0–100 ms calls bff 10–40 and search-api 30–90 (`TraceTreeTests.simple`);
    /// a slower variant where search-api takes 30–150 of 0–160.
    static let slow = TraceTree([
        golden(1, nil, "gateway", "GET /aggregate", .server, 0, 160),
        golden(2, 1, "bff", "GET /aggregate", .server, 10, 40),
        golden(3, 1, "search-api", "GET /search", .server, 30, 150),
    ])

    @Test func aggregateSumsSelfTimePerStackOverManyTrees() {
        var folded = FoldedStacks()
        folded.add(TraceTreeTests.simple)
        folded.add(TraceTreeTests.simple)
        folded.add(Self.slow)
        #expect(folded.text.split(separator: "\n", omittingEmptySubsequences: false) == [
            "gateway: GET /aggregate 60000",
            "gateway: GET /aggregate;bff: GET /aggregate 90000",
            "gateway: GET /aggregate;search-api: GET /search 240000",
            "",
        ])
        #expect(folded.totalMicroseconds == 390_000)
    }

    @Test func subMicrosecondSelfTimesAddUpBeforeTruncation() {
        func tiny(_ id: UInt64) -> TraceTree {
            TraceTree([AnalyzedSpan(
                span: Span(traceID: trace, spanID: SpanID(id), name: "tick", kind: .internal, startTimeUnixNano: 0, endTimeUnixNano: 600),
                service: "timer")])
        }
        var folded = FoldedStacks()
        folded.add(tiny(1))
        #expect(folded.text == "")
        folded.add(tiny(2))
        #expect(folded.text == "timer: tick 1\n")
    }

    @Test func differentialIsStackThenBeforeThenAfter() {
        var before = FoldedStacks()
        before.add(TraceTreeTests.simple)
        var after = FoldedStacks()
        after.add(Self.slow)
        after.add(TraceTree([golden(9, nil, "gateway", "GET /health", .server, 0, 1)]))
        #expect(FoldedStacks.differential(before: before, after: after).split(separator: "\n") == [
            "gateway: GET /aggregate 20000 20000",
            "gateway: GET /aggregate;bff: GET /aggregate 30000 30000",
            "gateway: GET /aggregate;search-api: GET /search 60000 120000",
            "gateway: GET /health 0 1000",
        ])
        // Normalized: before (110 ms) scaled to after's total (171 ms).
        #expect(FoldedStacks.differential(before: before, after: after, normalized: true).split(separator: "\n") == [
            "gateway: GET /aggregate 31091 20000",
            "gateway: GET /aggregate;bff: GET /aggregate 46636 30000",
            "gateway: GET /aggregate;search-api: GET /search 93273 120000",
            "gateway: GET /health 0 1000",
        ])
    }

    @Test func frameNamesAreCleanedForEveryFoldedReader() {
        #expect(FoldedStacks.frame("svc: GET /a;b") == "svc: GET /a:b")
        #expect(FoldedStacks.frame("svc: multi\nline\ttabbed  name ") == "svc: multi line tabbed name")
        // A trailing number would be read as a (second) count by flamegraph.pl and inferno.
        #expect(FoldedStacks.frame("svc: retry 2") == "svc: retry_2")
        #expect(FoldedStacks.frame("svc: GET /v1.2 3.5") == "svc: GET /v1.2_3.5")
        #expect(FoldedStacks.frame("svc: GET /items/2") == "svc: GET /items/2")
        var folded = FoldedStacks()
        folded.add(TraceTree([golden(1, nil, "s;t", "attempt 2", .server, 0, 3)]))
        #expect(folded.text == "s:t: attempt_2 3000\n")
    }

    @Test func terminalViewMergesStacksIntoATreeByInclusiveTime() {
        var folded = FoldedStacks()
        folded.add(TraceTreeTests.simple)
        folded.add(Self.slow)
        #expect(FlameText.render(folded, width: 10).split(separator: "\n") == [
            "total 280.000ms self time in 3 stacks",
            "share   inclusive    self",
            "100.0%  280.000ms    40.000ms     |██████████| gateway: GET /aggregate",
            " 64.3%  180.000ms    180.000ms    |██████    |   search-api: GET /search",
            " 21.4%  60.000ms     60.000ms     |██        |   bff: GET /aggregate",
        ])
        #expect(FlameText.render(folded, width: 10, minimumShare: 0.5).split(separator: "\n").count == 4)
        #expect(FlameText.render(FoldedStacks()) == "")
    }
}
