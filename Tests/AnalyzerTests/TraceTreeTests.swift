import Analyzer
import KeiroModel
import Testing

let trace = TraceID(high: 1, low: 2)
let ms: UInt64 = 1_000_000

func span(_ id: UInt64, parent: UInt64?, _ name: String, kind: SpanKind = .server, from start: UInt64, to end: UInt64) -> Span {
    Span(traceID: trace, spanID: SpanID(id), parentSpanID: parent.map(SpanID.init), name: name, kind: kind,
         startTimeUnixNano: start * ms, endTimeUnixNano: end * ms)
}

@Suite struct TraceTreeTests {
    /// gateway (0–100 ms) calls bff (10–40) then search (30–90, overlapping bff).
    static let simple = TraceTree([
        AnalyzedSpan(span: span(3, parent: 1, "GET /search", from: 30, to: 90), service: "search-api"),
        AnalyzedSpan(span: span(1, parent: nil, "GET /aggregate", from: 0, to: 100), service: "gateway"),
        AnalyzedSpan(span: span(2, parent: 1, "GET /aggregate", from: 10, to: 40), service: "bff"),
    ])

    @Test func linksChildrenUnderParentsInStartOrder() {
        let tree = Self.simple
        #expect(tree.roots.count == 1)
        let root = tree.nodes[tree.roots[0]]
        #expect(root.service == "gateway")
        #expect(root.children.map { tree.nodes[$0].service } == ["bff", "search-api"])
        #expect(tree.warnings.isEmpty)
    }

    @Test func selfTimeCountsOverlappingChildrenOnce() {
        let tree = Self.simple
        let selfTimes = Dictionary(uniqueKeysWithValues: tree.nodes.indices.map { (tree.nodes[$0].service, tree.selfTime(of: $0)) })
        #expect(selfTimes == ["gateway": 20 * ms, "bff": 30 * ms, "search-api": 60 * ms])
    }

    @Test func childrenAreClippedToTheirParent() {
        let tree = TraceTree([
            // One service: no clock-skew adjustment, only clipping.
            AnalyzedSpan(span: span(1, parent: nil, "root", from: 0, to: 50), service: "a"),
            AnalyzedSpan(span: span(2, parent: 1, "late child", from: 40, to: 80), service: "a"),
        ])
        #expect(tree.selfTime(of: tree.roots[0]) == 40 * ms)
    }

    @Test func foldedStacksAreSelfTimeInMicrosecondsRootFirst() {
        var folded = FoldedStacks()
        folded.add(Self.simple)
        #expect(folded.text.split(separator: "\n") == [
            "gateway: GET /aggregate 20000",
            "gateway: GET /aggregate;bff: GET /aggregate 30000",
            "gateway: GET /aggregate;search-api: GET /search 60000",
        ])
    }

    @Test func identicalStacksAddUpAcrossTraces() {
        var folded = FoldedStacks()
        folded.add(Self.simple)
        folded.add(Self.simple)
        #expect(folded.counts[["gateway: GET /aggregate", "search-api: GET /search"]] == 120_000)
    }

    @Test func envoySharedSpanIDsStayTwoNodesWithTheServerUnderTheClient() {
        let tree = TraceTree([
            AnalyzedSpan(span: span(1, parent: nil, "ingress", from: 0, to: 100), service: "bff"),
            AnalyzedSpan(span: span(7, parent: 1, "egress search", kind: .client, from: 10, to: 90), service: "bff"),
            AnalyzedSpan(span: span(7, parent: 1, "ingress search", kind: .server, from: 12, to: 88), service: "search-api"),
            AnalyzedSpan(span: span(8, parent: 7, "egress db", kind: .client, from: 20, to: 30), service: "search-api"),
        ])
        let names = { (index: Int) in tree.path(to: index).map { tree.nodes[$0].span.name } }
        let db = tree.nodes.firstIndex { $0.span.name == "egress db" }!
        #expect(names(db) == ["ingress", "egress search", "ingress search", "egress db"])
    }

    @Test func orphansHangUnderAVisibleMissingParent() {
        let tree = TraceTree([
            AnalyzedSpan(span: span(1, parent: nil, "root", from: 0, to: 100), service: "edge"),
            AnalyzedSpan(span: span(5, parent: 4, "orphan a", from: 20, to: 30), service: "reviews"),
            AnalyzedSpan(span: span(6, parent: 4, "orphan b", from: 40, to: 50), service: "reviews"),
        ])
        #expect(tree.roots.count == 2)
        let placeholder = tree.nodes[tree.roots[1]]
        #expect(placeholder.isMissingParent)
        #expect(placeholder.children.map { tree.nodes[$0].span.name } == ["orphan a", "orphan b"])
        #expect(tree.warnings == ["parent span \(SpanID(4)) is not stored; its children are shown under a placeholder"])
        var folded = FoldedStacks()
        folded.add(tree)
        #expect(folded.text.split(separator: "\n").contains("[missing parent \(SpanID(4))];reviews: orphan a 10000"))
    }

    @Test func duplicateSpansAreCollapsed() {
        let root = AnalyzedSpan(span: span(1, parent: nil, "root", from: 0, to: 10), service: "edge")
        let tree = TraceTree([root, root])
        #expect(tree.nodes.count == 1)
        #expect(tree.warnings.count == 1)
    }

    @Test func framesNeverContainSeparators() {
        let tree = TraceTree([AnalyzedSpan(span: span(1, parent: nil, "a;b\nc", from: 0, to: 1), service: "s;t")])
        var folded = FoldedStacks()
        folded.add(tree)
        #expect(folded.text == "s:t: a:b c 1000\n")
    }
}

@Suite struct CriticalPathTests {
    @Test func followsTheLastFinishingChildAndFillsGapsWithTheParent() {
        // root 0–100: child A 10–40, child B 30–90 (B finishes last; A ends after B starts, so A is not on the path).
        let tree = TraceTreeTests.simple
        let path = tree.criticalPath().map { (tree.nodes[$0.node].service, $0.startNanos / ms, $0.endNanos / ms) }
        #expect(path.map { "\($0.0) \($0.1)-\($0.2)" } == ["gateway 0-30", "search-api 30-90", "gateway 90-100"])
    }

    @Test func sequentialChildrenAreAllOnThePath() {
        let tree = TraceTree([
            AnalyzedSpan(span: span(1, parent: nil, "root", from: 0, to: 100), service: "gateway"),
            AnalyzedSpan(span: span(2, parent: 1, "try 1", kind: .client, from: 5, to: 45), service: "gateway"),
            AnalyzedSpan(span: span(3, parent: 1, "try 2", kind: .client, from: 50, to: 95), service: "gateway"),
            AnalyzedSpan(span: span(4, parent: 3, "backend", from: 55, to: 90), service: "backend"),
        ])
        let path = tree.criticalPath().map { "\(tree.nodes[$0.node].span.name) \($0.startNanos / ms)-\($0.endNanos / ms)" }
        #expect(path == ["root 0-5", "try 1 5-45", "root 45-50", "try 2 50-55", "backend 55-90", "try 2 90-95", "root 95-100"])
        #expect(tree.criticalPath().reduce(0) { $0 + $1.endNanos - $1.startNanos } == 100 * ms)
    }

    @Test func childrenOutlivingTheirParentAreClipped() {
        let tree = TraceTree([
            AnalyzedSpan(span: span(1, parent: nil, "root", from: 0, to: 50), service: "a"),
            AnalyzedSpan(span: span(2, parent: 1, "late", from: 20, to: 80), service: "b"),
        ])
        let path = tree.criticalPath().map { "\(tree.nodes[$0.node].span.name) \($0.startNanos / ms)-\($0.endNanos / ms)" }
        #expect(path == ["root 0-20", "late 20-50"])
    }
}

@Suite struct WaterfallTests {
    @Test func rendersTreeOrderOffsetsDurationsAndTheCriticalPath() {
        var failing = span(3, parent: 1, "GET /search", from: 30, to: 90)
        failing.status = SpanStatus(code: .error)
        let tree = TraceTree([
            AnalyzedSpan(span: span(1, parent: nil, "GET /aggregate", from: 0, to: 100), service: "gateway"),
            AnalyzedSpan(span: span(2, parent: 1, "GET /aggregate", from: 10, to: 40), service: "bff"),
            AnalyzedSpan(span: failing, service: "search-api"),
        ])
        let lines = Waterfall.render(tree, width: 10).split(separator: "\n").map(String.init)
        #expect(lines == [
            "trace 00000000000000010000000000000002  100.000ms  3 spans",
            "+0.000ms    100.000ms  |██████████| gateway: GET /aggregate ◆",
            "+10.000ms   30.000ms   | ███      |   bff: GET /aggregate",
            "+30.000ms   60.000ms   |   ██████ |   search-api: GET /search ✗ ◆",
        ])
    }
}
