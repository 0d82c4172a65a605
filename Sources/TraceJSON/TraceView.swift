import Analyzer
import Store

/// What `keiro traces show` explains about one trace: its tree, the analyzer's findings,
/// the critical path and the stored summary; rendered as text or as `TreeJSON`.
public struct TraceView: Sendable {
    public let tree: TraceTree
    public let report: TraceFlagReport
    public let criticalPath: [CriticalSection]
    public let summary: TraceSummary?

    public init(tree: TraceTree, summary: TraceSummary?) {
        self.tree = tree
        self.summary = summary
        report = tree.flagReport()
        criticalPath = tree.criticalPath()
    }

    /// Per node, the findings that name it: their number in the Flags section (from 1) and flag names.
    var flagsByNode: [Int: [(number: Int, name: String)]] {
        var flags: [Int: [(number: Int, name: String)]] = [:]
        for (offset, finding) in report.findings.enumerated() {
            let name = finding.flag.flagNames.joined(separator: ",")
            for node in Set(finding.nodes) { flags[node, default: []].append((offset + 1, name)) }
        }
        return flags
    }

    /// The hops down to the deepest span on the critical path.
    var criticalPathHops: [Hop] {
        let deepest = Set(criticalPath.map(\.node)).max { a, b in
            (tree.path(to: a).count, b) < (tree.path(to: b).count, a)
        }
        return deepest.map(tree.hopChain(to:)) ?? []
    }

    /// The waterfall (warnings, offsets, durations, `✗` errors, `◆` critical path) with
    /// `⚑ flag[n]` on the spans finding n names; then the critical path's hops and the
    /// Flags section: each finding with the hops that lead to it and its evidence.
    public var text: String {
        let notes = flagsByNode.mapValues { flags in "⚑ " + flags.map { "\($0.name)[\($0.number)]" }.joined(separator: " ") }
        var lines = [Waterfall.render(tree, notes: notes, criticalPath: criticalPath), ""]
        let hops = criticalPathHops
        if !hops.isEmpty { lines.append("critical path (◆): " + Self.chain(hops)) }
        if let summary, summary.flags != report.flags {
            lines.append("flags recorded at ingest (what --flag finds): " + (summary.flags.isEmpty ? "none" : summary.flags.description))
        }
        guard !report.findings.isEmpty else {
            lines.append("Flags: none")
            return lines.joined(separator: "\n")
        }
        lines.append("Flags: " + report.flags.description)
        for (offset, finding) in report.findings.enumerated() {
            let at = finding.nodes.first.map { "  at " + Self.chain(tree.hopChain(to: $0)) } ?? ""
            lines.append("  [\(offset + 1)] \(finding.flag)\(finding.inferred ? " (inferred)" : "")\(at)")
            lines.append("      \(finding.evidence)")
        }
        return lines.joined(separator: "\n")
    }

    private static func chain(_ hops: [Hop]) -> String {
        hops.map(\.description).joined(separator: " → ")
    }
}
