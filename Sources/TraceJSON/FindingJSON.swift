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

    public init(_ finding: Finding) {
        flag = finding.flag.flagNames.joined(separator: ",")
        spanIds = finding.spanIDs.map(\.hexString)
        nodes = finding.nodes
        evidence = finding.evidence
        inferred = finding.inferred
    }
}
