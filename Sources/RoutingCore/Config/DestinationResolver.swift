/// Resolves destination hosts and subsets to addresses through the endpoints section and
/// checks destination weights. Shared by all three shapes.
struct DestinationResolver {
    /// Merged endpoints, nil when the load has none (destinations then stay unresolved).
    let endpoints: Endpoints?

    /// The addresses of `host`/`subset`, recording an error at `node` when the endpoints
    /// section exists but does not define them.
    func addresses(host: String, subset: String?, at node: ConfigNode) -> [String]? {
        guard let endpoints else { return [] }
        guard let entry = endpoints.hosts[host] else {
            let hint = Suggestion.hint(for: host, in: endpoints.hosts.keys)
            node.fail(.unknownReference, "host '\(host)' is not defined in the endpoints section\(hint)")
            return nil
        }
        guard let subset else { return entry.addresses }
        guard let addresses = entry.subsets[subset] else {
            let known = entry.subsets.keys.sorted()
            let hint = Suggestion.hint(for: subset, in: known)
            let list = known.isEmpty ? "it defines none" : "it defines \(known.joined(separator: ", "))"
            node.fail(.unknownReference, "subset '\(subset)' of host '\(host)' is not defined in the endpoints section (\(list))\(hint)")
            return nil
        }
        return addresses
    }

    /// Checks relative weights: several destinations must not sum to 0. A single
    /// destination gets all traffic whatever its weight (Istio), so it is normalised to 100.
    static func checkWeights(_ destinations: inout [WeightedDestination], at node: ConfigNode) -> Bool {
        if destinations.count == 1 {
            destinations[0].weight = max(destinations[0].weight, 100)
            return true
        }
        guard destinations.contains(where: { $0.weight > 0 }) else {
            node.fail(.zeroTotalWeight, "total destination weight = 0; give at least one destination a weight > 0")
            return false
        }
        return true
    }
}
