import KeiroModel

/// The tries of one call: CLIENT spans under one parent to one destination.
struct AttemptGroup {
    var parent: Int
    /// The tries in start order.
    var tries: [Int]
    /// True when no attribute says these are tries (no `resend_count`, no retry reason):
    /// they are sequential, same name, and each earlier one failed.
    var inferred: Bool
}

extension [AttemptGroup] {
    /// Every try that was followed by another one (the last try of each group left out).
    var retriedTries: Set<Int> { Set(flatMap { $0.tries.dropLast() }) }
}

extension TraceTree {
    /// Calls made more than once. Explicit: one of the CLIENT spans carries
    /// `http.request.resend_count` ≥ 1 or `keiro.retry.reason`. Inferred: two or more
    /// CLIENT spans with the same name and destination under one parent, each starting
    /// after the previous one ended, every one but the last failed.
    func attemptGroups() -> [AttemptGroup] {
        var groups: [AttemptGroup] = []
        for parent in nodes.indices {
            var byDestination: [String: [Int]] = [:]
            var order: [String] = []
            for child in nodes[parent].children where nodes[child].span.kind == .client && !nodes[child].isMissingParent {
                let key = nodes[child].span.destination ?? nodes[child].span.name
                if byDestination[key] == nil { order.append(key) }
                byDestination[key, default: []].append(child)
            }
            for key in order {
                let tries = byDestination[key]!.sorted { nodes[$0].span.startTimeUnixNano < nodes[$1].span.startTimeUnixNano }
                let spans = tries.map { nodes[$0].span }
                if spans.contains(where: { ($0.resendCount ?? 0) >= 1 || $0.retryReason != nil }) {
                    groups.append(AttemptGroup(parent: parent, tries: tries, inferred: false))
                } else if spans.count >= 2, Set(spans.map(\.name)).count == 1,
                    zip(spans, spans.dropFirst()).allSatisfy({ $1.startTimeUnixNano >= $0.endTimeUnixNano && $0.failed })
                {
                    groups.append(AttemptGroup(parent: parent, tries: tries, inferred: true))
                }
            }
        }
        return groups
    }

    /// `gateway → search-api (route search)`.
    func callLabel(_ group: AttemptGroup) -> String {
        let first = nodes[group.tries[0]].span
        return "\(nodes[group.parent].hop) → \(first.destination ?? first.name)" + (first.routeName.map { " (route \($0))" } ?? "")
    }

    /// Retried calls, and retries that ran out.
    func retryFindings(_ groups: [AttemptGroup]) -> [Finding] {
        var findings: [Finding] = []
        for group in groups {
            let tries = group.tries.map { nodes[$0].span }
            // `resend_count` numbers the tries when some were not stored.
            let numbers = tries.enumerated().map { offset, span in span.resendCount.map { $0 + 1 } ?? offset + 1 }
            let steps = tries.enumerated().map { offset, span in
                "try \(numbers[offset]): \(span.outcome)"
                    + (offset < tries.count - 1 ? ", retried on \(span.failureCause)" + (span.retryCondition.map { " (\($0))" } ?? "") : "")
            }
            let count = max(tries.count, numbers.max() ?? 0)
            let stored = count > tries.count ? " (\(tries.count) stored)" : ""
            findings.append(Finding(
                flag: .retried, nodes: group.tries, in: self,
                evidence: "\(callLabel(group)): \(count) attempts\(stored); " + steps.joined(separator: "; "), inferred: group.inferred))
            let parent = nodes[group.parent].span
            if !parent.responseFlags.contains("URX"), !parent.hasKeiroAttributes, tries.allSatisfy(\.failed) {
                findings.append(Finding(
                    flag: .retriesExhausted, nodes: [group.parent] + group.tries, in: self,
                    evidence: "\(callLabel(group)): all \(count) attempts failed, the last with \(tries.last!.outcome)", inferred: true))
            }
        }
        let parents = Set(groups.map(\.parent))
        for index in nodes.indices where !parents.contains(index) && (nodes[index].span.integer(KeiroAttributes.attempts) ?? 0) > 1 {
            let span = nodes[index].span
            findings.append(Finding(
                flag: .retried, nodes: [index], in: self,
                evidence: "\(nodes[index].hop) made \(span.integer(KeiroAttributes.attempts)!) attempts to \(span.destination ?? "its upstream") "
                    + "and answered \(span.outcome); the tries' spans are not stored"))
        }
        for index in nodes.indices where nodes[index].span.responseFlags.contains("URX") {
            let span = nodes[index].span
            let tries = groups.first { $0.parent == index }?.tries ?? []
            let count = span.integer(KeiroAttributes.attempts) ?? tries.count
            let last = tries.last.map { ", the last try ended with \(nodes[$0].span.outcome)" } ?? ""
            findings.append(Finding(
                flag: .retriesExhausted, nodes: [index] + tries, in: self,
                evidence: "\(nodes[index].hop) gave up after \(count) attempts (URX) and answered \(span.outcome)\(last)"))
        }
        return findings
    }
}
