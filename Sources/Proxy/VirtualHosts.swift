import RoutingCore

/// A proxy's route tables, one per route set, chosen by the request's host the way an
/// Istio sidecar chooses a VirtualService: the set whose `hosts` list the request host
/// (port removed, case-insensitive; a short name such as `reviews` also matches
/// `reviews.<namespace>.svc.cluster.local`). With a single route set (gateway, edge, one
/// VirtualService) that set serves every host. Unnamed routes get generated names
/// (``RouteSet/namingUnnamedRoutes()``).
struct VirtualHosts: Sendable {
    private let tables: [(hosts: [String], table: RouteTable)]

    init(_ routeSets: [RouteSet]) {
        tables = routeSets.map { set in (set.hosts.map { $0.lowercased() }, RouteTableBuilder(set.namingUnnamedRoutes()).build()) }
    }

    /// The table for a request's `Host`/`:authority`, or nil when no route set serves it.
    func table(for authority: String?) -> RouteTable? {
        if tables.count == 1 { return tables[0].table }
        guard let authority else { return nil }
        let host = Self.hostWithoutPort(authority.lowercased())
        return tables.first { $0.hosts.contains(host) }?.table
            ?? tables.first { $0.hosts.contains { $0.hasPrefix(host + ".") } }?.table
    }

    private static func hostWithoutPort(_ authority: String) -> String {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[...close])
        }
        guard let colon = authority.lastIndex(of: ":") else { return authority }
        return String(authority[..<colon])
    }
}
