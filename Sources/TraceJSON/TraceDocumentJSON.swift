import Analyzer
import Store

/// `GET /api/traces/{traceID}`: everything known about one trace — its stored summary, the
/// spans the tree was built from, the tree (with its warnings) and the analyzer's flags
/// with the findings behind them.
public struct TraceDocumentJSON: Encodable, Sendable {
    var summary: TraceSummaryJSON
    var spans: [SpanJSON]
    var tree: TreeJSON
    var flags: [String]
    var findings: [FindingJSON]

    /// `spans` are kept when of `tree.traceID` or an id joined to it (`TraceIDJoin`).
    public init(summary: TraceSummary, spans: [StoredSpan], tree: TraceTree, report: TraceFlagReport) {
        let shown = Set([tree.traceID] + tree.joinedTraceIDs)
        self.summary = TraceSummaryJSON(summary)
        self.spans = spans.filter { shown.contains($0.span.traceID) }.map(SpanJSON.init)
        self.tree = TreeJSON(tree)
        self.flags = report.flags.flagNames
        self.findings = report.findings.map(FindingJSON.init)
    }
}
