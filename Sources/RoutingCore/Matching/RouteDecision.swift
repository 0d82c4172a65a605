/// The routing answer for one request.
public enum RouteDecision: Sendable, Hashable {
    /// A route matched and a destination was chosen.
    case routed(RoutedRequest)
    /// No route matched: Envoy answers 404 with flag `NR`.
    case noRoute(LocalReply)

    /// The local reply Envoy sends when no route matches.
    public static let noRouteReply = LocalReply(
        status: 404, body: "", flags: [.noRouteFound], details: "route_not_found", attempt: 0, at: .zero
    )
}

/// A matched route and the destination picked for this request.
public struct RoutedRequest: Sendable, Hashable {
    /// Position of the route in its route set (0-based).
    public var routeIndex: Int
    /// The route.
    public var route: Route
    /// Which of the route's match blocks matched (nil for a route without match blocks).
    public var matchBlock: Int?
    /// Index of the chosen destination in `route.destinations`.
    public var destinationIndex: Int
    /// Whether the choice came from the stickiness key rather than the random source.
    public var sticky: Bool

    /// The chosen destination.
    public var destination: Destination { route.destinations[destinationIndex].destination }
}
