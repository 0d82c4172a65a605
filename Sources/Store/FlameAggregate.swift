import Analyzer

/// The folded stacks of the traces a query finds (at most its limit, in its order): what
/// `keiro flame` and `GET /api/flame` print. Each stored trace id is folded once; a B3
/// 64-bit twin that the query also finds is folded as its own trace, not joined into
/// its 128-bit sibling as well.
public struct FlameAggregate: Sendable {
    public private(set) var folded = FoldedStacks()
    /// Traces folded.
    public private(set) var traces = 0
    /// More traces matched than the limit let in.
    public private(set) var capped = false
    public let limit: Int

    public init(_ query: TraceQuery, from store: SQLiteSpanStore) async throws {
        limit = query.limit
        var probe = query
        probe.limit = query.limit + 1
        let found = try await store.findTraces(probe)
        capped = found.count > query.limit
        for summary in found.prefix(query.limit) {
            guard let tree = try await store.tree(of: summary.traceID, joiningB3Twin: false) else { continue }
            folded.add(tree)
            traces += 1
            await Task.yield()  // trees are built on the shared executor: let other tasks (ingest) in between
        }
    }
}
