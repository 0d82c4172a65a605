import KeiroModel

/// Clock-skew adjustment, Jaeger's algorithm (`adjuster/clockskew.go`): walking down from
/// each root, a span from another host than its parent is compared with the (already
/// adjusted) parent; when it does not fit inside, it is moved so that the network latency
/// (parent duration − child duration) is split evenly before and after it. The shift then
/// applies to its descendants from the same host, until a span from yet another host
/// computes its own. A span that lasts longer than its parent (async, or the parent timed
/// out first) is only moved so that it does not start before the parent.
///
/// Unlike Jaeger v2 (which moves the start only), the end and the events move by the same
/// shift, so durations never change. Children of a missing-parent placeholder are treated
/// as roots (nothing to compare with). Warnings use Jaeger's wording.
extension TraceTree {
    mutating func adjustClockSkew(maxDeltaNanos: Int64) {
        let hostKeys = nodes.map(\.hostKey)
        // Iterative depth-first walk carrying (node, the shift in force, its host).
        var stack: [(node: Int, delta: Int64, host: String)] = roots.map { ($0, 0, hostKeys[$0]) }
        while let (index, inherited, inheritedHost) = stack.popLast() {
            var delta = inherited
            var host = inheritedHost
            if let parent = nodes[index].parent, hostKeys[index] != inheritedHost {
                host = hostKeys[index]
                delta = nodes[parent].isMissingParent ? 0 : Self.skew(child: nodes[index].span, parent: nodes[parent].span)
            }
            apply(delta, to: index, maxDeltaNanos: maxDeltaNanos)
            for child in nodes[index].children { stack.append((child, delta, host)) }
        }
    }

    /// The shift that puts `child` inside `parent` (Jaeger's `calculateSkew`), in ns.
    static func skew(child: Span, parent: Span) -> Int64 {
        let parentStart = Int64(clamping: parent.startTimeUnixNano)
        let childStart = Int64(clamping: child.startTimeUnixNano)
        let parentDuration = Int64(clamping: parent.durationNanos)
        let childDuration = Int64(clamping: child.durationNanos)
        if childDuration > parentDuration {
            return childStart < parentStart ? parentStart - childStart : 0
        }
        if childStart >= parentStart && childStart + childDuration <= parentStart + parentDuration { return 0 }
        let latency = (parentDuration - childDuration) / 2
        return parentStart + latency - childStart
    }

    private mutating func apply(_ delta: Int64, to index: Int, maxDeltaNanos: Int64) {
        guard delta != 0 else { return }
        if delta.magnitude > maxDeltaNanos.magnitude {
            nodes[index].warnings.append(
                maxDeltaNanos == 0
                    ? "clock skew adjustment disabled; not applying calculated delta of \(GoDuration.format(delta))"
                    : "max clock skew adjustment delta of \(GoDuration.format(maxDeltaNanos)) exceeded; not applying calculated delta of \(GoDuration.format(delta))")
            return
        }
        func shifted(_ time: UInt64) -> UInt64 {
            delta >= 0 ? time &+ UInt64(delta) : (time >= delta.magnitude ? time - delta.magnitude : 0)
        }
        nodes[index].span.startTimeUnixNano = shifted(nodes[index].span.startTimeUnixNano)
        nodes[index].span.endTimeUnixNano = shifted(nodes[index].span.endTimeUnixNano)
        for event in nodes[index].span.events.indices {
            nodes[index].span.events[event].timeUnixNano = shifted(nodes[index].span.events[event].timeUnixNano)
        }
        nodes[index].clockSkewShiftNanos += delta
        nodes[index].warnings.append("This span's timestamps were adjusted by \(GoDuration.format(delta))")
    }
}
