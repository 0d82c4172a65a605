import KeiroModel

extension TraceTree {
    /// Canary targets and header routes taken. A proxy's SERVER span and its CLIENT spans
    /// carry the same routing attributes; the decision is reported once, on the topmost.
    /// Without Keiro's attributes, a SERVER span of a service named `…canary…` below no
    /// reported canary decision is an inferred canary.
    func routingFindings() -> [Finding] {
        var findings: [Finding] = []
        // Nodes at or below a canary decision (parents are visited before their children).
        var underCanary = Set<Int>()
        for index in depthFirstOrder where !nodes[index].isMissingParent {
            let node = nodes[index]
            let span = node.span
            let sameDecisionAsParent = node.parent.map {
                nodes[$0].span.destination == span.destination && nodes[$0].span.routingDecision == span.routingDecision
            } ?? false
            let parentUnderCanary = node.parent.map(underCanary.contains) ?? false
            if parentUnderCanary { underCanary.insert(index) }
            if let destination = span.destination, span.hasKeiroAttributes, destination.lowercased().contains("canary") {
                underCanary.insert(index)
                if !sameDecisionAsParent {
                    findings.append(Finding(
                        flag: .canary, nodes: [index], in: self,
                        evidence: "\(node.hop) routed to canary \(destination)" + decisionDetails(span)))
                }
            } else if span.kind == .server, node.service.lowercased().contains("canary"), !parentUnderCanary {
                underCanary.insert(index)
                findings.append(Finding(
                    flag: .canary, nodes: [index], in: self, evidence: "\(node.service) (a canary by its name) served \(span.name)", inferred: true))
            }
            if span.routingDecision == "header", !sameDecisionAsParent {
                let server = span.kind == .server ? span : node.parent.map { nodes[$0].span } ?? span
                findings.append(Finding(
                    flag: .headerRoute, nodes: [index], in: self,
                    evidence: "\(node.hop) took header route \(span.routeName ?? "(unnamed)") to \(span.destination ?? "?"): "
                        + matchedHeaders(server, destination: span.destination ?? "")))
            }
        }
        return findings
    }

    private func decisionDetails(_ span: Span) -> String {
        let parts = [span.routeName.map { "route \($0)" }, span.routingDecision.map { "decision \($0)" }].compactMap { $0 }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"
    }

    /// The recorded request headers (`http.request.header.*`) that explain a header route:
    /// those whose value names the destination (`feature: v2` → `reviews-v2…`) or that are
    /// service-router headers; all recorded ones when none does.
    private func matchedHeaders(_ span: Span, destination: String) -> String {
        let prefix = SemanticAttributes.requestHeaderPrefix
        let headers: [(name: String, value: String)] = span.attributes.filter { $0.key.hasPrefix(prefix) }.flatMap { attribute in
            let name = String(attribute.key.dropFirst(prefix.count))
            if case .array(let values) = attribute.value { return values.map { (name, $0.displayString) } }
            return [(name, attribute.value.displayString)]
        }
        guard !headers.isEmpty else { return "the matched header is not recorded on the span" }
        let target = destination.lowercased()
        let matching = headers.filter { target.contains($0.value.lowercased()) || $0.name.hasPrefix("service-router-") }
        return (matching.isEmpty ? headers : matching).map { "header \($0.name): \($0.value)" }.joined(separator: ", ")
    }
}
