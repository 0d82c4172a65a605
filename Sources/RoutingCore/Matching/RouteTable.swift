/// An immutable, compiled route table. ``decide(_:using:)`` finds the first matching route
/// (exactly as a linear scan in file order would) by only evaluating candidate routes from
/// the path tries plus the routes that must always be checked, then picks a destination.
public struct RouteTable: Sendable {
    /// The routes the table was compiled from.
    public let routeSet: RouteSet
    private let choices: [WeightedChoice]
    /// Each route's match blocks, kept apart from ``routeSet`` so matching touches only them.
    private let matchers: [[RouteMatch]]
    private let sensitive: PathTrie
    private let insensitive: PathTrie
    private let always: [Int32]

    init(routeSet: RouteSet, choices: [WeightedChoice], sensitive: PathTrie, insensitive: PathTrie, always: [Int32]) {
        self.routeSet = routeSet
        self.choices = choices
        matchers = routeSet.routes.map(\.matches)
        self.sensitive = sensitive
        self.insensitive = insensitive
        self.always = always
    }

    /// Compiles `routeSet`.
    public init(_ routeSet: RouteSet) { self = RouteTableBuilder(routeSet).build() }

    /// The first route `request` matches — its index and matching block — or nil.
    public func firstMatch(_ request: RouteRequest) -> RoutePosition? {
        matchers.withUnsafeBufferPointer { matchers in
            withUnsafePointer(to: request) { request in
                var search = FirstMatchSearch(matchers: matchers, request: request)
                if !always.isEmpty, !search.visit(always[...]) { return search.found }
                sensitive.forEachCandidateList(request.pointee.path, &search)
                insensitive.forEachCandidateList(request.pointee.path, &search)
                return search.found
            }
        }
    }

    /// Routes `request`: the first matching route and a destination chosen by weight —
    /// by the stickiness key when the route has one and the request carries it, otherwise
    /// with `random`. No match gives the `NR` 404 reply.
    public func decide(_ request: RouteRequest, using random: inout some RandomNumberGenerator) -> RouteDecision {
        guard let position = firstMatch(request) else { return .noRoute(RouteDecision.noRouteReply) }
        let index = position.index
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
        return .routed(RoutedRequest(
            routeIndex: index, route: route, matchBlock: position.block, destinationIndex: destination, sticky: sticky
        ))
    }

    /// The share of traffic (0…1) each destination of route `index` receives.
    public func shares(ofRoute index: Int) -> [Double] {
        let choice = choices[index]
        return routeSet.routes[index].destinations.map { Double($0.weight) / Double(choice.total) }
    }
}

/// Where a request matched: the route's index and the index of the match block that held
/// (nil for a route without match blocks).
public struct RoutePosition: Sendable, Hashable {
    /// Route index in the route set.
    public var index: Int
    /// Match block index within the route, nil when the route matches every request.
    public var block: Int?
}

/// The smallest matching route index over several sorted candidate lists: each list's
/// first match is its best, and indices at or past the best so far are skipped.
private struct FirstMatchSearch: CandidateVisitor {
    let matchers: UnsafeBufferPointer<[RouteMatch]>
    let request: UnsafePointer<RouteRequest>
    private var best = Int.max
    private var bestBlock: Int?

    init(matchers: UnsafeBufferPointer<[RouteMatch]>, request: UnsafePointer<RouteRequest>) {
        self.matchers = matchers
        self.request = request
    }

    var found: RoutePosition? { best == .max ? nil : RoutePosition(index: best, block: bestBlock) }

    mutating func visit(_ list: ArraySlice<Int32>) -> Bool {
        for raw in list {
            let index = Int(raw)
            if index >= best { break }
            let blocks = matchers[index]
            if blocks.isEmpty {
                best = index
                bestBlock = nil
                break
            }
            if let block = blocks.firstIndex(where: { $0.matches(request.pointee) }) {
                best = index
                bestBlock = block
                break
            }
        }
        return best != 0
    }
}
