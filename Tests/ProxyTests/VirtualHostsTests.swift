import RoutingCore
import Testing

@testable import Proxy

@Suite struct VirtualHostsTests {
    static func virtualService(_ name: String, namespace: String, upstream: String) -> String {
        """
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {name: \(name), namespace: \(namespace)}
        spec:
          hosts: [\(name).\(namespace).svc.cluster.local]
          http:
          - name: \(name)-route
            route:
            - destination: {host: \(upstream)}
        """
    }

    static let config = """
        \(virtualService("reviews", namespace: "reviews", upstream: "reviews-backend"))
        ---
        \(virtualService("search-api", namespace: "searchns", upstream: "search-backend"))
        ---
        apiVersion: keiro.dev/v1
        kind: Endpoints
        hosts:
          reviews-backend: {addresses: ["127.0.0.1:9301"]}
          search-backend: {addresses: ["127.0.0.1:9101"]}
        """

    func routeName(_ hosts: VirtualHosts, _ authority: String?) -> String? {
        var random = SystemRandomNumberGenerator()
        guard let table = hosts.table(for: authority), case .routed(let decision) = table.decide(RouteRequest(target: "/x", authority: authority), using: &random)
        else { return nil }
        return decision.route.name
    }

    @Test func theRequestHostPicksTheVirtualService() throws {
        let hosts = VirtualHosts(try ConfigLoader.load(yaml: Self.config).routeSets)
        #expect(routeName(hosts, "reviews.reviews.svc.cluster.local") == "reviews-route")
        #expect(routeName(hosts, "search-api.searchns.svc.cluster.local:9080") == "search-api-route")
        #expect(routeName(hosts, "Search-API") == "search-api-route")  // short name, any case
        #expect(hosts.table(for: "unknown.example") == nil)
        #expect(hosts.table(for: nil) == nil)
    }

    @Test func aSingleRouteSetServesEveryHost() throws {
        let single = try ConfigLoader.load(yaml: Self.virtualService("reviews", namespace: "r", upstream: "u") + """

            ---
            apiVersion: keiro.dev/v1
            kind: Endpoints
            hosts:
              u: {addresses: ["127.0.0.1:1"]}
            """).routeSets
        #expect(routeName(VirtualHosts(single), "anything:80") == "reviews-route")
    }
}
