import RoutingCore

extension RouteSet {
    /// The set with every unnamed route named `<set name>.<index>` (0-based position in the
    /// set), so each span carries a `keiro.route.name` — as Envoy names the routes Istio
    /// generates from an unnamed `http[]` entry. Named routes keep their names.
    func namingUnnamedRoutes() -> RouteSet {
        var named = self
        for index in named.routes.indices where named.routes[index].name == nil {
            named.routes[index].name = "\(name).\(index)"
        }
        return named
    }
}
