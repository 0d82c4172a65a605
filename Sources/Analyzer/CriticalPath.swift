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
        let clipped = clippedIntervals()
        var sections: [CriticalSection] = []
        var current = root
        var cursor: UInt64? = nil  // the start of the child we returned from
        while true {
            let (start, end) = clipped[current]
            let sectionEnd = cursor ?? end
            if let child = lastFinishingChild(of: current, before: cursor, clipped) {
                let childEnd = clipped[child].end
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

    /// Every node's interval clipped to its ancestors' (children never extend a parent),
    /// indexed like `nodes`.
    func clippedIntervals() -> [(start: UInt64, end: UInt64)] {
        var clipped = nodes.map { (start: $0.span.startTimeUnixNano, end: max($0.span.startTimeUnixNano, $0.span.endTimeUnixNano)) }
        for index in depthFirstOrder {
            guard let parent = nodes[index].parent else { continue }
            let bounds = clipped[parent]
            clipped[index].start = min(max(clipped[index].start, bounds.start), bounds.end)
            clipped[index].end = min(max(clipped[index].end, bounds.start), bounds.end)
        }
        return clipped
    }

    private func lastFinishingChild(of index: Int, before cursor: UInt64?, _ clipped: [(start: UInt64, end: UInt64)]) -> Int? {
        nodes[index].children
            .filter { child in cursor.map { clipped[child].end < $0 } ?? true }
            .max { clipped[$0].end < clipped[$1].end }
    }
}
