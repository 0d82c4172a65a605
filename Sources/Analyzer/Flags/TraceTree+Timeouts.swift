import KeiroModel

extension TraceTree {
    /// Timeouts that fired.
    /// - Keiro's `keiro.timeout` (`per_try`/`overall`) on a try's CLIENT span or on the
    ///   SERVER span that answered 504 `UT` (or was cut mid-body).
    /// - Envoy's `UT` response flag without Keiro's attribute: per-try when the response
    ///   code details say `upstream_per_try_timeout`, else the route timeout.
    /// - Inferred: a span without Keiro attributes ending 504, or with an `error.type`
    ///   saying timeout, whose duration reaches one of ``FlagOptions/timeouts``, when no
    ///   span below it is such a span or has an explicit timeout (the deepest is where the
    ///   timer fired; the ones above passed the 504 up). A try followed by
    ///   another try to the same destination hit a per-try timeout, anything else the
    ///   route timeout.
    func timeoutFindings(_ groups: [AttemptGroup], _ options: FlagOptions) -> [Finding] {
        var findings: [Finding] = []
        var inferredCandidates: [Int] = []
        let retriedTries = groups.retriedTries
        for index in nodes.indices where !nodes[index].isMissingParent {
            let node = nodes[index]
            let span = node.span
            if let kind = span.timeoutKind {
                let flag = span.firedTimeout ?? .overallTimeout
                let timer = kind == "per_try" ? "per-try timeout" : "route timeout (overall)"
                let evidence: String
                if span.kind == .client {
                    let attempt = (span.resendCount ?? 0) + 1
                    let caller = node.parent.map { "\(nodes[$0].hop) → " } ?? ""
                    evidence = "try \(attempt) \(caller)\(span.destination ?? span.name) was cut by the \(timer) after \(seconds(span.durationNanos))"
                } else {
                    evidence = "\(node.hop) answered \(span.outcomeWithoutTimeout) after \(seconds(span.durationNanos)): the \(timer) fired"
                        + (span.responseDetails.map { " (\($0))" } ?? "")
                }
                findings.append(Finding(flag: flag, nodes: [index], in: self, evidence: evidence))
            } else if span.responseFlags.contains("UT") {
                let perTry = span.firedTimeout == .perTryTimeout
                findings.append(Finding(
                    flag: perTry ? .perTryTimeout : .overallTimeout, nodes: [index], in: self,
                    evidence: "\(node.hop) answered \(span.outcome) after \(seconds(span.durationNanos)): Envoy flag UT, the \(perTry ? "per-try" : "route") timeout fired"))
            } else if !span.hasKeiroAttributes, span.statusCode == 504 || (span.errorType?.lowercased().contains("timeout") ?? false),
                matchingTimeout(span.durationNanos, options) != nil
            {
                inferredCandidates.append(index)
            }
        }
        let blocked = isAbove(inferredCandidates + findings.flatMap(\.nodes))
        for index in inferredCandidates where !blocked[index] {
            let span = nodes[index].span
            let timeout = matchingTimeout(span.durationNanos, options)!
            let perTry = retriedTries.contains(index)
            findings.append(Finding(
                flag: perTry ? .perTryTimeout : .overallTimeout, nodes: [index], in: self,
                evidence: "\(nodes[index].hop) \(span.name) ended with \(span.outcome) after \(seconds(span.durationNanos)), reaching the \(GoDuration.format(timeout)) timeout"
                    + (perTry ? "; the call was retried" : ""),
                inferred: true))
        }
        return findings
    }

    /// Per node, whether one of `nodes` is below it: each walk up stops at a node already
    /// marked, so the whole pass is linear in the tree's size.
    private func isAbove(_ nodes: [Int]) -> [Bool] {
        var marked = [Bool](repeating: false, count: self.nodes.count)
        for node in nodes {
            var parent = self.nodes[node].parent
            while let index = parent, !marked[index] {
                marked[index] = true
                parent = self.nodes[index].parent
            }
        }
        return marked
    }

    /// The timeout (ns) a span of `duration` reached, if any: duration in
    /// [timeout, timeout + max(tolerance, 5 %)].
    private func matchingTimeout(_ duration: UInt64, _ options: FlagOptions) -> Int64? {
        let tolerance = options.timeoutTolerance.nanoseconds
        return options.timeouts.map(\.nanoseconds).sorted().first { timeout in
            let slack = max(tolerance, timeout / 20)
            return Int64(clamping: duration) >= timeout && Int64(clamping: duration) <= timeout + slack
        }
    }
}

extension Span {
    /// ``outcome`` ignoring `keiro.timeout` (`status 504 UT`).
    var outcomeWithoutTimeout: String {
        var copy = self
        copy.attributes.removeAll { $0.key == KeiroAttributes.timeout }
        return copy.outcome
    }
}
