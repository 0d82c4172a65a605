import Foundation
import KeiroModel

/// A terminal waterfall of a trace tree: one line per span in tree order with its offset
/// from the trace start, its duration, a bar on a shared time axis, the hop (service) and
/// name indented by depth, `✗` on error, and `◆` where the span is on the critical path.
/// The header lists the tree's warnings, then each span's own (clock-skew adjustments).
public enum Waterfall {
    /// Renders `tree`; `notes` (by node index) are appended to their span's line, e.g. the
    /// flags found on it. Pass `criticalPath` when it is already computed.
    public static func render(
        _ tree: TraceTree, width: Int = 40, notes: [Int: String] = [:], criticalPath: [CriticalSection]? = nil
    ) -> String {
        let real = tree.nodes.filter { !$0.isMissingParent }
        guard let start = real.map(\.span.startTimeUnixNano).min(),
            let end = real.map({ max($0.span.startTimeUnixNano, $0.span.endTimeUnixNano) }).max()
        else { return "" }
        let total = max(1, end - start)
        let critical = Set((criticalPath ?? tree.criticalPath()).map(\.node))
        var lines = ["trace \(tree.traceID.hexString)  \(milliseconds(end - start))  \(real.count) spans"]
        for warning in tree.warnings { lines.append("  warning: \(warning)") }
        for index in tree.depthFirstOrder {
            let node = tree.nodes[index]
            for warning in node.warnings { lines.append("  warning: \(node.service) span \(node.span.spanID): \(warning)") }
        }
        func visit(_ index: Int, depth: Int) {
            let node = tree.nodes[index]
            let span = node.span
            let offset = span.startTimeUnixNano >= start ? span.startTimeUnixNano - start : 0
            let from = Int(Double(offset) / Double(total) * Double(width))
            let length = max(1, Int((Double(span.durationNanos) / Double(total) * Double(width)).rounded()))
            let bar = String(repeating: " ", count: min(from, width)) + String(repeating: "█", count: min(length, max(1, width - from)))
            let label = node.isMissingParent ? "[\(span.name)]" : "\(node.service): \(span.name)"
            let marks = (span.status.code == .error ? " ✗" : "") + (critical.contains(index) ? " ◆" : "")
            lines.append(
                "+" + milliseconds(offset).padding(toLength: 11, withPad: " ", startingAt: 0)
                    + milliseconds(span.durationNanos).padding(toLength: 11, withPad: " ", startingAt: 0)
                    + "|" + bar.padding(toLength: width, withPad: " ", startingAt: 0) + "| "
                    + String(repeating: "  ", count: depth) + label + marks + (notes[index].map { "  " + $0 } ?? ""))
            for child in node.children { visit(child, depth: depth + 1) }
        }
        for root in tree.roots { visit(root, depth: 0) }
        return lines.joined(separator: "\n")
    }

    static func milliseconds(_ nanos: UInt64) -> String {
        String(format: "%.3fms", Double(nanos) / 1e6)
    }
}
