/// Self time: the part of a span's duration not covered by any of its children (children
/// clipped to the parent, overlapping children counted once), as flame graphs and
/// "where did the time go" answers need.
extension TraceTree {
    /// Self time of every node, in nanoseconds, indexed like `nodes`.
    public func selfTimes() -> [UInt64] {
        nodes.indices.map(selfTime(of:))
    }

    /// Self time of one node, in nanoseconds.
    public func selfTime(of index: Int) -> UInt64 {
        let node = nodes[index]
        let start = node.span.startTimeUnixNano
        let end = max(start, node.span.endTimeUnixNano)
        let intervals = node.children
            .map { nodes[$0].span }
            .map { (max(start, $0.startTimeUnixNano), min(end, max($0.startTimeUnixNano, $0.endTimeUnixNano))) }
            .filter { $0.0 < $0.1 }
            .sorted { $0.0 < $1.0 }
        var covered: UInt64 = 0
        var cursor = start
        for (childStart, childEnd) in intervals where childEnd > cursor {
            covered += childEnd - max(childStart, cursor)
            cursor = childEnd
        }
        return (end - start) - covered
    }
}
