import Analyzer

/// One analyzer finding (`Finding`): the flag, the spans that show it (ids, and node
/// indexes into the tree's `nodes`), the evidence in words, and whether it was inferred
/// from span shapes rather than read from Keiro's attributes or Envoy's flags.
public struct FindingJSON: Encodable, Sendable {
    var flag: String
    var spanIds: [String]
    var nodes: [Int]
    var evidence: String
    var inferred: Bool
    /// The hops from the root to the first span the finding names.
    var hopChain: [String]

    public init(_ finding: Finding, in tree: TraceTree) {
        flag = finding.flag.flagNames.joined(separator: ",")
        spanIds = finding.spanIDs.map(\.hexString)
        nodes = finding.nodes
        evidence = finding.evidence
        inferred = finding.inferred
        hopChain = finding.nodes.first.map { tree.hopChain(to: $0).map(\.description) } ?? []
    }
}
