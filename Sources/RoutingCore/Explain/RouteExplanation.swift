import KeiroModel
/// Why a request routes where it does, for `keiro routes explain` (what `istioctl x
/// describe` tells an Istio user): each route evaluated in order and why it did or did not
/// match, the destinations with their shares, and the retry and timeout policy in force.
public struct RouteExplanation: Sendable {
    /// One route's verdict.
    public struct Step: Sendable {
        /// Route position.
        public var index: Int
        /// Route name, if any.
        public var name: String?
        /// Where the route is written.
        public var location: SourceLocation
        /// nil when the route has no match blocks (matches everything); otherwise per
        /// block, the failed condition (nil for the block that matched).
        public var blocks: [RouteMatch.Mismatch?]?
        /// Whether this route is the one chosen.
        public var matched: Bool
    }

    /// The route set explained.
    public var routeSet: RouteSet
    /// Steps up to and including the matching route (all routes when none matched).
    public var steps: [Step]
    /// The matching route's index, nil for `NR`.
    public var matchedIndex: Int?
    /// Traffic shares of the matching route's destinations.
    public var shares: [Double]

    /// A multi-line report.
    public func render() -> String {
        var lines: [String] = []
        let set = routeSet
        var header = "\(set.kind.rawValue) \(set.name)"
        if let namespace = set.namespace { header += " (namespace \(namespace))" }
        if !set.hosts.isEmpty { header += ", hosts \(set.hosts.joined(separator: ", "))" }
        lines.append(header)
        for step in steps {
            let title = "route[\(step.index)]\(step.name.map { " \"\($0)\"" } ?? "") at \(step.location)"
            guard let blocks = step.blocks else {
                lines.append("  \(title): matches every request (no match blocks)")
                continue
            }
            lines.append("  \(title): \(step.matched ? "MATCHED" : "no match")")
            for (number, mismatch) in blocks.enumerated() {
                let conditions = routeSet.routes[step.index].matches[number].conditionsDescription
                if let mismatch {
                    lines.append("    match[\(number)] (\(conditions)): failed, \(mismatch)")
                } else {
                    lines.append("    match[\(number)] (\(conditions)): all conditions hold")
                    break
                }
            }
        }
        guard let index = matchedIndex else {
            lines.append("No route matched: Envoy answers 404 with response flag NR (route_not_found).")
            return lines.joined(separator: "\n")
        }
        let route = routeSet.routes[index]
        lines.append("Destinations (first match wins, route[\(index)]):")
        for (destination, share) in zip(route.destinations, shares) {
            let percent = (share * 1000).rounded() / 10
            let addresses = destination.destination.addresses.isEmpty
                ? "unresolved (no endpoints section)" : destination.destination.addresses.joined(separator: ", ")
            lines.append("  \(destination.destination)  weight \(destination.weight)  share \(percent)%  → \(addresses)")
        }
        if let stickiness = route.stickiness { lines.append("Stickiness: by \(stickiness) (FNV-1a hash)") }
        lines.append("Retries: \(route.retries.summary) [\(route.retriesSource.rawValue)]")
        if let timeout = route.timeout {
            lines.append("Timeout: \(DurationSyntax.format(timeout)) (covers every try and back-off)")
        } else {
            lines.append("Timeout: disabled (no route timeout; only per-try timeouts apply)")
        }
        return lines.joined(separator: "\n")
    }
}

extension RouteTable {
    /// Evaluates routes in order (without the index) and records why each one did or did
    /// not match, up to the first match.
    public func explain(_ request: RouteRequest) -> RouteExplanation {
        var steps: [RouteExplanation.Step] = []
        var matchedIndex: Int?
        for (index, route) in routeSet.routes.enumerated() {
            var step = RouteExplanation.Step(index: index, name: route.name, location: route.location, blocks: nil, matched: false)
            if route.matches.isEmpty {
                step.matched = true
            } else {
                var blocks: [RouteMatch.Mismatch?] = []
                for block in route.matches {
                    let mismatch = block.mismatch(request)
                    blocks.append(mismatch)
                    if mismatch == nil { break }
                }
                step.blocks = blocks
                step.matched = blocks.last.map { $0 == nil } ?? false
            }
            steps.append(step)
            if step.matched {
                matchedIndex = index
                break
            }
        }
        return RouteExplanation(
            routeSet: routeSet, steps: steps, matchedIndex: matchedIndex,
            shares: matchedIndex.map(shares(ofRoute:)) ?? []
        )
    }
}

extension RouteMatch {
    /// The block's conditions, e.g. `uri prefix "/search", header feature exact "v1"`.
    public var conditionsDescription: String {
        var parts: [String] = []
        if let method { parts.append("method \(method)") }
        if let uri { parts.append("uri \(uri)") }
        parts += headers.map { "header \($0.name) \($0.match)" }
        parts += withoutHeaders.map { "without header \($0.name) \($0.match)" }
        parts += queryParams.map { "query \($0.name) \($0.match)" }
        if let authority { parts.append("authority \(authority)") }
        if let scheme { parts.append("scheme \(scheme)") }
        return parts.joined(separator: ", ")
    }
}

extension RetryPolicy {
    /// e.g. `2 retries on 5xx,connect-failure; per-try timeout 4s; back-off 25ms base, 250ms cap`.
    public var summary: String {
        guard attempts > 0 else { return "none" }
        let perTry = perTryTimeout.map { "per-try timeout \(DurationSyntax.format($0))" } ?? "no per-try timeout"
        return "\(attempts) retr\(attempts == 1 ? "y" : "ies") (at most \(attempts + 1) tries) on \(retryOnDescription); \(perTry); back-off \(DurationSyntax.format(backoff.base)) base, \(DurationSyntax.format(backoff.max)) cap, full jitter"
    }
}
