import Analyzer
import KeiroModel

extension TraceTree {
    /// The request tree of spans read from the store; pass what `traceWith64BitPart(_:)`
    /// returns so a B3 64-bit hop is joined.
    public init(stored spans: [StoredSpan], traceID: TraceID) {
        self.init(
            spans.map { AnalyzedSpan(span: $0.span, service: $0.serviceName, resource: $0.resource) },
            options: TreeOptions(traceID: traceID))
    }
}
