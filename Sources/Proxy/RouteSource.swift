import RoutingCore

/// Where a proxy's route sets come from: config files, of which it takes the route sets of
/// one kind — exactly one for an edge or a gateway, one or more VirtualServices (chosen per
/// request by host) for a sidecar. `keiro edge|gateway|sidecar` load through it at start
/// and ``ConfigReloader`` on every reload.
public struct RouteSource: Sendable, Hashable {
    /// Route config files (YAML or JSON) and the endpoints files that resolve them.
    public var paths: [String]
    /// Which route sets the proxy applies.
    public var kind: ConfigKind

    /// A source reading `paths` for a proxy of `kind`.
    public init(paths: [String], kind: ConfigKind) {
        self.paths = paths
        self.kind = kind
    }

    /// Why the files give no usable route sets: every config error with its
    /// `file:line:column`, or the wrong number of route sets of this kind.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// One line per problem.
        public var description: String
    }

    /// Reads and validates the files.
    /// - Throws: ``Failure``.
    public func load() throws(Failure) -> [RouteSet] {
        let config: RouteConfig
        do {
            config = try ConfigLoader.load(paths: paths)
        } catch {
            throw Failure(description: error.errors.map(\.description).joined(separator: "\n"))
        }
        let sets = config.routeSets.filter { $0.kind == kind }
        guard kind == .sidecar ? !sets.isEmpty : sets.count == 1 else {
            let wanted = kind == .sidecar ? "at least one VirtualService" : "exactly one \(kind.rawValue) route set"
            throw Failure(description: "expected \(wanted) in \(paths.joined(separator: ", ")), found \(sets.count)")
        }
        return sets
    }
}
