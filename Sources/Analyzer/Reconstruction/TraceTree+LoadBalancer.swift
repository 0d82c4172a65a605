import KeiroModel

extension TraceTree {
    /// Hangs each ALB access-log span above the server span of the hop it forwarded to.
    ///
    /// An ALB writes no span of its own and passes on only `X-Amzn-Trace-Id` (Root, and the
    /// caller's Parent if there was one), so the next hop's SERVER span has the same parent
    /// as the ALB's log span (none, or the caller's span) instead of the ALB. The earliest
    /// SERVER span that is not an ALB span and shares the ALB span's parent (both roots, or
    /// both under the same span or placeholder) moves under the ALB span.
    mutating func placeLoadBalancerSpans() {
        let balancers = nodes.indices.filter { nodes[$0].hop.role == .loadBalancer }
        var taken = Set<Int>()
        for balancer in balancers.sorted(by: { nodes[$0].span.startTimeUnixNano < nodes[$1].span.startTimeUnixNano }) {
            let siblings = nodes[balancer].parent.map { nodes[$0].children } ?? roots
            let forwarded = siblings
                .filter { candidate in
                    let node = nodes[candidate]
                    return candidate != balancer && !taken.contains(candidate) && !node.isMissingParent
                        && node.hop.role != .loadBalancer && node.span.kind == .server
                        && node.span.parentSpanID == nodes[balancer].span.parentSpanID
                }
                .min { nodes[$0].span.startTimeUnixNano < nodes[$1].span.startTimeUnixNano }
            guard let forwarded else { continue }
            taken.insert(forwarded)
            detach(forwarded)
            attach(forwarded, to: balancer)
            warnings.append(
                "\(nodes[forwarded].service) span \(nodes[forwarded].span.spanID) placed under the ALB access-log span \(nodes[balancer].span.spanID) (the ALB forwarded the request)")
        }
    }
}
