import Analyzer
import Store

/// `keiro traces show --json` and the `tree` of `GET /api/traces/{traceID}`: the stored
/// summary, the analyzer's flags and findings, the tree's warnings and the tree as a flat
/// list of nodes (each with its hop, critical-path
/// share and the flags whose findings name it). `nodes` is indexed like `TraceTree.nodes`
/// (spans by start time, placeholders for missing parents last), so `parentIndex` and a
/// finding's `nodes` are positions in it.
public struct TreeJSON: Encodable, Sendable {
    public struct Node: Encodable, Sendable {
        var spanId: String
        var parentIndex: Int?
        var depth: Int
        var service: String
        var hop: HopJSON
        var name: String
        var kind: String
        var startTimeUnixNano: UInt64
        var durationNanos: UInt64
        var selfTimeNanos: UInt64
        var error: Bool
        var missingParent: Bool
        var onCriticalPath: Bool
        var criticalPathNanos: UInt64
        var clockSkewShiftNanos: Int64
        var flags: [String]
        var warnings: [String]
    }

    public struct HopJSON: Encodable, Sendable {
        var role: String
        var service: String
        /// `Hop.description`: the service, with the role when the name does not say it.
        var label: String

        init(_ hop: Hop) {
            role = hop.role.rawValue
            service = hop.service
            label = hop.description
        }
    }

    var traceId: String
    var joinedTraceIds: [String]
    /// The stored summary (flags recorded at ingest); absent when only a joined B3 twin is stored.
    var summary: TraceSummaryJSON?
    /// The flags the analyzer finds now (`flagReport`).
    var flags: [String]
    var findings: [FindingJSON]
    var warnings: [String]
    /// Hops down to the deepest span on the critical path.
    var criticalPathHops: [String]
    var nodes: [Node]

    public init(_ view: TraceView) {
        let tree = view.tree
        var critical: [Int: UInt64] = [:]
        for section in view.criticalPath { critical[section.node, default: 0] += section.endNanos - section.startNanos }
        let selfTimes = tree.selfTimes()
        let nodeFlags = view.flagsByNode
        traceId = tree.traceID.hexString
        joinedTraceIds = tree.joinedTraceIDs.map(\.hexString)
        summary = view.summary.map(TraceSummaryJSON.init)
        flags = view.report.flags.flagNames
        findings = view.report.findings.map { FindingJSON($0, in: tree) }
        warnings = tree.warnings
        criticalPathHops = view.criticalPathHops.map(\.description)
        nodes = tree.nodes.indices.map { index in
            let node = tree.nodes[index]
            return Node(
                spanId: node.span.spanID.hexString, parentIndex: node.parent, depth: tree.path(to: index).count - 1,
                service: node.service, hop: HopJSON(node.hop), name: node.span.name, kind: "\(node.span.kind)".uppercased(),
                startTimeUnixNano: node.span.startTimeUnixNano, durationNanos: node.span.durationNanos,
                selfTimeNanos: selfTimes[index], error: node.span.status.code == .error, missingParent: node.isMissingParent,
                onCriticalPath: critical[index] != nil, criticalPathNanos: critical[index] ?? 0,
                clockSkewShiftNanos: node.clockSkewShiftNanos, flags: nodeFlags[index]?.map(\.name) ?? [], warnings: node.warnings)
        }
    }
}
