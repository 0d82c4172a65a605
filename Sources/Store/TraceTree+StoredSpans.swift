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

extension SQLiteSpanStore {
    /// The request tree of a stored trace, nil when no span of it is stored. With
    /// `joiningB3Twin`, spans stored under the id's low 64 bits are read too and joined where
    /// a parent link proves it (`TreeOptions.traceID`).
    public func tree(of id: TraceID, joiningB3Twin: Bool) async throws -> TraceTree? {
        let spans = try await joiningB3Twin ? traceWith64BitPart(id) : trace(id)
        guard !spans.isEmpty else { return nil }
        return TraceTree(stored: spans, traceID: id)
    }
}
