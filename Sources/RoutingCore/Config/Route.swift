/// One route: its match blocks, destinations, retry policy and timeout. Shared by the
/// edge, gateway and sidecar shapes.
public struct Route: Sendable, Hashable {
    /// Where the route's retry policy came from, for `routes explain`.
    public enum PolicySource: String, Sendable, Hashable {
        /// Written in the file.
        case configured
        /// Not written; Istio's default applies.
        case istioDefault = "istio default"
        /// The shape never retries (ALB-like edge).
        case notApplicable = "not applicable"
    }

    /// Route name (Istio `http[].name`, gateway route `name`, `priority N` on the edge).
    public var name: String?
    /// Match blocks, OR-ed; empty means every request matches.
    public var matches: [RouteMatch]
    /// Weighted destinations (at least one; weights sum > 0).
    public var destinations: [WeightedDestination]
    /// Retry policy in force.
    public var retries: RetryPolicy
    /// Where ``retries`` came from.
    public var retriesSource: PolicySource
    /// Route timeout covering all tries and back-off; nil when disabled (Istio default).
    public var timeout: Duration?
    /// Optional stickiness for the weighted choice.
    public var stickiness: Stickiness?
    /// Where the route was written.
    public var location: SourceLocation

    /// Creates a route.
    public init(
        name: String?,
        matches: [RouteMatch],
        destinations: [WeightedDestination],
        retries: RetryPolicy,
        retriesSource: PolicySource,
        timeout: Duration?,
        stickiness: Stickiness? = nil,
        location: SourceLocation
    ) {
        self.name = name
        self.matches = matches
        self.destinations = destinations
        self.retries = retries
        self.retriesSource = retriesSource
        self.timeout = timeout
        self.stickiness = stickiness
        self.location = location
    }

    /// The first match block `request` satisfies (its index), or nil.
    @inlinable
    public func matchingBlock(_ request: RouteRequest) -> Int? {
        if matches.isEmpty { return -1 }
        return matches.firstIndex { $0.matches(request) }
    }
}

/// Keeps a user on the same weighted destination by hashing a request key; requests
/// without the key get a random pick.
public enum Stickiness: Sendable, Hashable, CustomStringConvertible {
    /// Hash the value of this (lowercase) header.
    case header(String)
    /// Hash the value of this cookie.
    case cookie(String)

    /// The request's key, or nil when it has none.
    public func key(in request: RouteRequest) -> String? {
        switch self {
        case .header(let name): request.header(name)
        case .cookie(let name): request.cookie(name)
        }
    }

    public var description: String {
        switch self {
        case .header(let name): "header \(name)"
        case .cookie(let name): "cookie \(name)"
        }
    }
}
