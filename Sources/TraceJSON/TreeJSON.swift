import Analyzer

/// `keiro traces show --json` and the `tree` of `GET /api/traces/{traceID}`: the tree as a
/// flat list of nodes in tree order.
public struct TreeJSON: Encodable, Sendable {
    public struct Node: Encodable, Sendable {
        var spanId: String
        var parentIndex: Int?
        var depth: Int
        /// The role of the process on the request path (`Hop.Role`: edge, gateway, sidecar …).
        var hop: String
        var service: String
        var name: String
        var kind: String
        var startTimeUnixNano: UInt64
        var durationNanos: UInt64
        var selfTimeNanos: UInt64
        var error: Bool
        var missingParent: Bool
        var criticalPathNanos: UInt64
        /// Part of the span's time is on the critical path (of the first root).
        var onCriticalPath: Bool
    }

    var traceId: String
    var warnings: [String]
    var nodes: [Node]

    public init(_ tree: TraceTree) {
        var critical: [Int: UInt64] = [:]
        for section in tree.criticalPath() { critical[section.node, default: 0] += section.endNanos - section.startNanos }
        let selfTimes = tree.selfTimes()
        traceId = tree.nodes.first?.span.traceID.hexString ?? ""
        warnings = tree.warnings
        nodes = tree.nodes.indices.map { index in
            let node = tree.nodes[index]
            return Node(
                spanId: node.span.spanID.hexString, parentIndex: node.parent, depth: tree.path(to: index).count - 1,
                hop: node.hop.role.rawValue, service: node.service, name: node.span.name, kind: "\(node.span.kind)".uppercased(),
                startTimeUnixNano: node.span.startTimeUnixNano, durationNanos: node.span.durationNanos,
                selfTimeNanos: selfTimes[index], error: node.span.status.code == .error, missingParent: node.isMissingParent,
                criticalPathNanos: critical[index] ?? 0, onCriticalPath: critical[index] != nil)
        }
    }
}
