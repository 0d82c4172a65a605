import Foundation

/// Folded stacks drawn in a terminal: the stacks merged into a tree of frames, each line
/// showing the frame's share of the total, its inclusive time (itself and everything
/// above it in the flame graph), its own (self) time, a bar, and the frame indented by
/// depth. Siblings are ordered by inclusive time, largest first (ties by name).
public enum FlameText {
    /// Renders `folded`; frames under `minimumShare` (0–1) of the total are left out.
    public static func render(_ folded: FoldedStacks, width: Int = 30, minimumShare: Double = 0) -> String {
        let root = Frame(name: "")
        for (stack, micros) in folded.counts { root.add(stack[...], micros) }
        let total = root.total
        guard total > 0 else { return "" }
        var lines = ["total \(milliseconds(total)) self time in \(folded.counts.count) stacks", "share   inclusive    self"]
        func visit(_ frame: Frame, depth: Int) {
            for child in frame.sortedChildren where Double(child.total) / Double(total) >= minimumShare {
                let share = Double(child.total) / Double(total)
                let bar = String(repeating: "█", count: max(1, Int((share * Double(width)).rounded())))
                lines.append(
                    String(format: "%5.1f%%  ", share * 100) + milliseconds(child.total).padding(toLength: 13, withPad: " ", startingAt: 0)
                        + milliseconds(child.selfMicros).padding(toLength: 13, withPad: " ", startingAt: 0)
                        + "|" + bar.padding(toLength: width, withPad: " ", startingAt: 0) + "| "
                        + String(repeating: "  ", count: depth) + child.name)
                visit(child, depth: depth + 1)
            }
        }
        visit(root, depth: 0)
        return lines.joined(separator: "\n")
    }

    private static func milliseconds(_ micros: UInt64) -> String {
        String(format: "%.3fms", Double(micros) / 1_000)
    }

    /// A node of the merged frame tree (a class: built once, then only read).
    private final class Frame {
        let name: String
        var selfMicros: UInt64 = 0
        var total: UInt64 = 0
        var children: [String: Frame] = [:]

        init(name: String) { self.name = name }

        func add(_ stack: ArraySlice<String>, _ micros: UInt64) {
            total += micros
            guard let first = stack.first else {
                selfMicros += micros
                return
            }
            let child = children[first] ?? Frame(name: first)
            children[first] = child
            child.add(stack.dropFirst(), micros)
        }

        var sortedChildren: [Frame] {
            children.values.sorted { ($0.total, $1.name) > ($1.total, $0.name) }
        }
    }
}
