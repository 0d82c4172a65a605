/// Folded-stack text, the input format of flamegraph.pl, inferno and speedscope: one line
/// per distinct stack, `frame;frame;frame count`, root first, count = self time in integer
/// microseconds. Adding many trees aggregates them: self time is summed per stack in
/// nanoseconds and converted (truncated) to microseconds only when read.
///
/// Frames are `service: span name` (a missing parent: `[missing parent <id>]`, as in the
/// waterfall). So that every
/// reader splits a line the same way, a frame name is cleaned (``frame(service:name:)``):
/// `;` becomes `:`, line breaks, tabs and other control characters become spaces, runs
/// of spaces become one and the ends are trimmed, and when the frame ends in a space and a
/// number (`GET /items 2`) that space becomes `_` (`GET /items_2`): flamegraph.pl and
/// inferno read a trailing number as a second (differential) count.
public struct FoldedStacks: Sendable, Hashable {
    /// Self time in nanoseconds per stack (frames root first).
    public private(set) var nanoseconds: [[String]: UInt64] = [:]

    public init() {}

    /// Self time in microseconds per stack, stacks under 1 µs left out.
    public var counts: [[String]: UInt64] {
        nanoseconds.compactMapValues { $0 >= 1_000 ? $0 / 1_000 : nil }
    }

    /// Adds every node's self time of `tree` (placeholders for missing parents included as
    /// frames, with no time of their own).
    public mutating func add(_ tree: TraceTree) {
        let selfTimes = tree.selfTimes()
        var stacks = [[String]](repeating: [], count: tree.nodes.count)
        for index in tree.depthFirstOrder {
            stacks[index] = (tree.nodes[index].parent.map { stacks[$0] } ?? []) + [Self.frame(tree.nodes[index])]
            if !tree.nodes[index].isMissingParent && selfTimes[index] > 0 {
                nanoseconds[stacks[index], default: 0] += selfTimes[index]
            }
        }
    }

    /// Adds another aggregate's counts.
    public mutating func add(_ other: FoldedStacks) {
        nanoseconds.merge(other.nanoseconds, uniquingKeysWith: +)
    }

    /// The folded lines, sorted by stack so output is stable; empty when nothing was added.
    public var text: String {
        Self.lines(counts.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { Self.stackText($0.key) + " \($0.value)" })
    }

    /// The total self time in microseconds (the sum of `counts`).
    public var totalMicroseconds: UInt64 { counts.values.reduce(0, +) }

    static func frame(_ node: TraceTree.Node) -> String {
        node.isMissingParent ? frame("[\(node.span.name)]") : frame("\(node.service): \(node.span.name)")
    }

    /// A frame name cleaned as described on ``FoldedStacks``.
    public static func frame(_ raw: String) -> String {
        var cleaned = ""
        for character in raw {
            let isControl = character.unicodeScalars.contains { $0.properties.generalCategory == .control }
            let replaced: Character = character == ";" ? ":" : (character.isWhitespace || isControl ? " " : character)
            if replaced == " " && (cleaned.isEmpty || cleaned.last == " ") { continue }
            cleaned.append(replaced)
        }
        while cleaned.last == " " { cleaned.removeLast() }
        if let space = cleaned.lastIndex(of: " "), Self.isNumber(cleaned[cleaned.index(after: space)...]) {
            cleaned.replaceSubrange(space...space, with: "_")
        }
        return cleaned
    }

    private static func isNumber(_ text: Substring) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") }
    }

    static func stackText(_ stack: [String]) -> String { stack.joined(separator: ";") }

    static func lines(_ lines: [String]) -> String {
        lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }
}
