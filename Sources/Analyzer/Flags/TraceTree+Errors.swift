import KeiroModel

extension TraceTree {
    /// Where errors started and where they went. An error span with no error child is an
    /// origin (the deepest span that failed first); its error ancestors in an unbroken
    /// chain merely passed it up. When the chain reaches a root the request failed
    /// (`error`); when it stops at a try that was retried, or below a healthy span, the
    /// failure was absorbed (`absorbed-error`).
    func errorFindings(_ groups: [AttemptGroup]) -> [Finding] {
        let failed = Set(nodes.indices.filter { !nodes[$0].isMissingParent && nodes[$0].span.isError })
        let retriedTries = groups.retriedTries
        var findings: [Finding] = []
        for origin in depthFirstOrder where failed.contains(origin) && !nodes[origin].children.contains(where: failed.contains) {
            var chain = [origin]
            // A failed try that was retried stops the chain: the retry absorbed it.
            while !retriedTries.contains(chain.last!), let parent = nodes[chain.last!].parent, failed.contains(parent) {
                chain.append(parent)
            }
            let top = chain.last!
            let reachesRoot = !retriedTries.contains(top) && (nodes[top].parent.map { nodes[$0].isMissingParent } ?? true)
            let span = nodes[origin].span
            var evidence = "error origin: \(nodes[origin].hop) \(span.name) (\(span.outcome)"
                + (span.status.message.isEmpty ? "" : ", \(span.status.message)") + ")"
            var passers: [Hop] = []
            for index in chain.dropFirst() where passers.last != nodes[index].hop && nodes[index].hop != nodes[origin].hop {
                passers.append(nodes[index].hop)
            }
            if !passers.isEmpty { evidence += "; passed up by " + passers.map(\.description).joined(separator: " → ") }
            if let absorber = reachesRoot ? nil : nodes[top].parent {
                evidence += retriedTries.contains(top)
                    ? "; absorbed: \(nodes[absorber].hop) retried the call"
                    : "; absorbed by \(nodes[absorber].hop) \(nodes[absorber].span.name) (\(nodes[absorber].span.outcome))"
            }
            findings.append(Finding(flag: reachesRoot ? .error : .absorbedError, nodes: chain, in: self, evidence: evidence))
        }
        return findings
    }
}
