/// One stretch of the critical path: the time `node` itself was what the request waited on.
public struct CriticalSection: Sendable, Hashable {
    public var node: Int
    public var startNanos: UInt64
    public var endNanos: UInt64
}

extension TraceTree {
    /// The critical path below `root` (default: the first root), as jaeger-ui computes it:
    /// children are clipped to their parent; walking back from the root's end, the
    /// last-finishing child that ends before the cursor is on the path (recursively), and
    /// the gaps between such children are the parent's own time. Sections are returned in
    /// time order; their lengths add up to the root's duration.
    public func criticalPath(from root: Int? = nil) -> [CriticalSection] {
        guard let root = root ?? roots.first else { return [] }
        var sections: [CriticalSection] = []
        var current = root
        var cursor: UInt64? = nil  // the start of the child we returned from
        while true {
            let (start, end) = clippedInterval(of: current)
            let sectionEnd = cursor ?? end
            if let child = lastFinishingChild(of: current, before: cursor) {
                let childEnd = clippedInterval(of: child).end
                if childEnd < sectionEnd { sections.append(CriticalSection(node: current, startNanos: childEnd, endNanos: sectionEnd)) }
                current = child
                cursor = nil
            } else {
                if start < sectionEnd { sections.append(CriticalSection(node: current, startNanos: start, endNanos: sectionEnd)) }
                guard current != root, let parent = nodes[current].parent else { break }
                cursor = start
                current = parent
            }
        }
        return sections.reversed()
    }

    /// A node's interval clipped to its ancestors' (children never extend a parent).
    func clippedInterval(of index: Int) -> (start: UInt64, end: UInt64) {
        let span = nodes[index].span
        var start = span.startTimeUnixNano
        var end = max(start, span.endTimeUnixNano)
        if let parent = nodes[index].parent {
            let bounds = clippedInterval(of: parent)
            start = min(max(start, bounds.start), bounds.end)
            end = min(max(end, bounds.start), bounds.end)
        }
        return (start, end)
    }

    private func lastFinishingChild(of index: Int, before cursor: UInt64?) -> Int? {
        nodes[index].children
            .map { ($0, clippedInterval(of: $0)) }
            .filter { child in cursor.map { child.1.end < $0 } ?? true }
            .max { $0.1.end < $1.1.end }?.0
    }
}
