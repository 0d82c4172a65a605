import KeiroModel

extension TraceTree {
    /// The trace's flags and the evidence for each: retries, timeouts, exhausted retries,
    /// canary and header routes, error origins, missing spans, clock skew. Findings come in
    /// tree order of the first span they name.
    public func flagReport(_ options: FlagOptions = FlagOptions()) -> TraceFlagReport {
        let attempts = attemptGroups()
        var findings = retryFindings(attempts) + timeoutFindings(attempts, options) + routingFindings() + errorFindings(attempts)
        let placeholders = nodes.indices.filter { nodes[$0].isMissingParent }
        for placeholder in placeholders {
            findings.append(Finding(
                flag: .incomplete, nodes: [placeholder], in: self,
                evidence: "parent span \(nodes[placeholder].span.spanID) is not stored; \(nodes[placeholder].children.count) span(s) hang under a placeholder"))
        }
        for index in nodes.indices where !nodes[index].warnings.isEmpty {
            findings.append(Finding(
                flag: .clockSkew, nodes: [index], in: self,
                evidence: "\(nodes[index].hop) \(nodes[index].span.name): " + nodes[index].warnings.joined(separator: "; ")))
        }
        var position: [Int: Int] = [:]
        for (offset, index) in depthFirstOrder.enumerated() { position[index] = offset }
        let ordered = findings.enumerated().sorted { ((position[$0.element.nodes[0]] ?? 0), $0.offset) < ((position[$1.element.nodes[0]] ?? 0), $1.offset) }
        return TraceFlagReport(findings: ordered.map(\.element))
    }
}
