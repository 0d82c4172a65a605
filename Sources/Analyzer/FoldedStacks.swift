/// Folded-stack text, the input format of flamegraph.pl, inferno and speedscope: one line
/// per distinct stack, `frame;frame;frame count`, root first, count = self time in integer
/// microseconds. Frames are `service: span name`, with `;` and line breaks replaced so
/// every reader splits them the same way.
public struct FoldedStacks: Sendable, Hashable {
    /// Self time in microseconds per stack (frames root first).
    public private(set) var counts: [[String]: UInt64] = [:]

    public init() {}

    /// Adds every node's self time of `tree` (placeholders for missing parents included as
    /// frames, with no time of their own).
    public mutating func add(_ tree: TraceTree) {
        let selfTimes = tree.selfTimes()
        for index in tree.nodes.indices where !tree.nodes[index].isMissingParent {
            let micros = selfTimes[index] / 1_000
            guard micros > 0 else { continue }
            counts[tree.path(to: index).map { Self.frame(tree.nodes[$0]) }, default: 0] += micros
        }
    }

    /// The folded lines, sorted by stack so output is stable.
    public var text: String {
        counts.sorted { $0.key.lexicographicallyPrecedes($1.key) }
            .map { $0.key.joined(separator: ";") + " \($0.value)" }
            .joined(separator: "\n") + (counts.isEmpty ? "" : "\n")
    }

    static func frame(_ node: TraceTree.Node) -> String {
        let raw = node.isMissingParent ? node.span.name : "\(node.service): \(node.span.name)"
        return String(raw.map { $0 == ";" ? ":" : ($0 == "\n" || $0 == "\r" ? " " : $0) })
    }
}
