/// Compiles a ``RouteSet`` into an immutable ``RouteTable``: path tries for exact and
/// prefix URI conditions (case-sensitive and case-insensitive; regex routes under their
/// literal prefix), a list of routes that must always be checked (regex without a literal
/// prefix, or no URI condition), and weighted choices per route.
public struct RouteTableBuilder: Sendable {
    /// The routes to compile, in order.
    public var routeSet: RouteSet

    /// Starts from a loaded route set.
    public init(_ routeSet: RouteSet) { self.routeSet = routeSet }

    /// Appends a route (evaluated after the existing ones).
    public mutating func append(_ route: Route) { routeSet.routes.append(route) }

    /// Builds the table. Routes with weights summing to 0 cannot come from the loader; a
    /// hand-built one is routed to its first destination.
    public func build() -> RouteTable {
        var sensitive = PathTrie.Builder(caseInsensitive: false)
        var insensitive = PathTrie.Builder(caseInsensitive: true)
        var always: [Int] = []
        for (index, route) in routeSet.routes.enumerated() {
            if route.matches.isEmpty { always.append(index) }
            for block in route.matches {
                switch block.uri {
                case .exact(let path, false): sensitive.add(exact: path, route: index)
                case .exact(let path, true): insensitive.add(exact: path, route: index)
                case .prefix(let path, false): sensitive.add(prefix: path, route: index)
                case .prefix(let path, true): insensitive.add(prefix: path, route: index)
                case .regex(let regex) where !regex.literalPrefix.isEmpty:
                    sensitive.add(prefix: regex.literalPrefix, route: index)
                case .regex, .present, nil: always.append(index)
                }
            }
        }
        let choices = routeSet.routes.map { route in
            WeightedChoice(weights: route.destinations.map(\.weight)) ?? .firstOnly
        }
        return RouteTable(
            routeSet: routeSet,
            choices: choices,
            sensitive: sensitive.build(),
            insensitive: insensitive.build(),
            always: Array(Set(always)).sorted().map(Int32.init)
        )
    }
}
