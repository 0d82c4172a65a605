/// An immutable, compiled route table. ``decide(_:using:)`` finds the first matching route
/// (exactly as a linear scan in file order would) by only evaluating candidate routes from
/// the path tries plus the routes that must always be checked, then picks a destination.
public struct RouteTable: Sendable {
    /// The routes the table was compiled from.
    public let routeSet: RouteSet
    private let choices: [WeightedChoice]
    private let sensitive: PathTrie
    private let insensitive: PathTrie
    private let always: [Int32]

    init(routeSet: RouteSet, choices: [WeightedChoice], sensitive: PathTrie, insensitive: PathTrie, always: [Int32]) {
        self.routeSet = routeSet
        self.choices = choices
        self.sensitive = sensitive
        self.insensitive = insensitive
        self.always = always
    }

    /// Compiles `routeSet`.
    public init(_ routeSet: RouteSet) { self = RouteTableBuilder(routeSet).build() }

    /// The first route `request` matches — its index and matching block (nil for a route
    /// without match blocks) — or nil.
    public func firstMatch(_ request: RouteRequest) -> (index: Int, block: Int?)? {
        let routes = routeSet.routes
        var best = Int.max
        var bestBlock = -1
        // Each list is sorted, so its first match is its best; the overall answer is the
        // smallest index over all lists. Indices at or past the best so far are skipped.
        func consider(_ list: ArraySlice<Int32>) -> Bool {
            for raw in list {
                let index = Int(raw)
                if index >= best { break }
                if let block = routes[index].matchingBlock(request) {
                    best = index
                    bestBlock = block
                    break
                }
            }
            return best != 0
        }
        if !always.isEmpty { _ = consider(always[...]) }
        guard best != 0 else { return (0, bestBlock < 0 ? nil : bestBlock) }
        sensitive.forEachCandidateList(request.path, consider)
        insensitive.forEachCandidateList(request.path, consider)
        guard best != .max else { return nil }
        return (best, bestBlock < 0 ? nil : bestBlock)
    }

    /// Routes `request`: the first matching route and a destination chosen by weight —
    /// by the stickiness key when the route has one and the request carries it, otherwise
    /// with `random`. No match gives the `NR` 404 reply.
    public func decide(_ request: RouteRequest, using random: inout some RandomNumberGenerator) -> RouteDecision {
        guard let (index, block) = firstMatch(request) else { return .noRoute(RouteDecision.noRouteReply) }
        let route = routeSet.routes[index]
        let choice = choices[index]
        let destination: Int
        var sticky = false
        if let key = route.stickiness?.key(in: request) {
            destination = choice.choose(stickyKey: key)
            sticky = true
        } else {
            destination = choice.choose(using: &random)
        }
        return .routed(RoutedRequest(routeIndex: index, route: route, matchBlock: block, destinationIndex: destination, sticky: sticky))
    }

    /// The share of traffic (0…1) each destination of route `index` receives.
    public func shares(ofRoute index: Int) -> [Double] {
        let choice = choices[index]
        return routeSet.routes[index].destinations.map { Double($0.weight) / Double(choice.total) }
    }
}
