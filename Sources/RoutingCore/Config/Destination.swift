/// Where a route sends traffic: an Istio destination (host, subset, port) or an ALB-like
/// target group (its name as `host`), with the addresses it resolved to.
public struct Destination: Sendable, Hashable, CustomStringConvertible {
    /// Service host (`search-api.searchns.svc.cluster.local`) or target group name.
    public var host: String
    /// Istio subset (`canary`), if any.
    public var subset: String?
    /// Destination port (Istio `port.number`), if given.
    public var port: Int?
    /// `host:port` addresses from the endpoints section or the target group's `targets`;
    /// empty when the config has no endpoints section (the proxy then resolves `host`).
    public var addresses: [String]

    /// Creates a destination.
    public init(host: String, subset: String? = nil, port: Int? = nil, addresses: [String] = []) {
        self.host = host
        self.subset = subset
        self.port = port
        self.addresses = addresses
    }

    /// `host`, `host:port`, with `/subset` appended when there is one.
    public var description: String {
        var text = host
        if let port { text += ":\(port)" }
        if let subset { text += " subset \(subset)" }
        return text
    }
}

/// A destination with its relative weight.
public struct WeightedDestination: Sendable, Hashable {
    /// Where to send.
    public var destination: Destination
    /// Relative weight (share = weight / sum of weights).
    public var weight: Int
    /// Where it was written.
    public var location: SourceLocation

    /// Creates a weighted destination.
    public init(destination: Destination, weight: Int, location: SourceLocation) {
        self.destination = destination
        self.weight = weight
        self.location = location
    }
}
