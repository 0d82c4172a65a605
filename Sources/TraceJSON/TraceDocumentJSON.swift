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

    /// `spans` are kept when of the tree's trace id or an id joined to it (`TraceIDJoin`).
    /// `tree` is what `keiro traces show --json` prints.
    public init(summary: TraceSummary, spans: [StoredSpan], view: TraceView) {
        let shown = Set([view.tree.traceID] + view.tree.joinedTraceIDs)
        self.summary = TraceSummaryJSON(summary)
        self.spans = spans.filter { shown.contains($0.span.traceID) }.map(SpanJSON.init)
        self.tree = TreeJSON(view)
        self.flags = view.report.flags.flagNames
        self.findings = view.report.findings.map { FindingJSON($0, in: view.tree) }
    }
}
