import RoutingCore
import Testing

/// Mercari-style per-PR routes: header `service-router-{svc}-{ns}: {replica}.{ns}`.
@Suite struct ServiceRouterTests {
    func defaultOnly() throws -> RouteSet {
        let yaml = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: svca, namespace: demo }
        spec:
          hosts: [svca.demo.svc.cluster.local]
          http:
            - name: feature
              match: [{ headers: { feature: { exact: v1 } } }]
              route: [{ destination: { host: svca-v1.demo.svc.cluster.local } }]
            - name: default
              route: [{ destination: { host: svca.demo.svc.cluster.local } }]
              retries: { attempts: 1, retryOn: 5xx }
              timeout: 2s
        """
        return try ConfigLoader.load(yaml: yaml).routeSets[0]
    }

    @Test func headerName() {
        #expect(ServiceRouter.headerName(service: "svcA", namespace: "demo") == "service-router-svca-demo")
    }

    @Test func replicasGetRoutesBeforeTheDefault() throws {
        let set = ServiceRouter.apply(to: try defaultOnly(), service: "svca", namespace: "demo", replicas: ["svca-pr1", "svca-pr2"])
        #expect(set.routes.map(\.name) == ["feature", "service-router/svca-pr1", "service-router/svca-pr2", "default"])
        let generated = set.routes[1]
        #expect(generated.matches == [RouteMatch(headers: [.init(name: "service-router-svca-demo", match: .exact("svca-pr1.demo"))])])
        #expect(generated.destinations.map(\.destination.host) == ["svca-pr1.demo.svc.cluster.local"])
        #expect(generated.retries.attempts == 1 && generated.timeout == .seconds(2))  // copied from the default
        let table = RouteTable(set)
        #expect(table.destination(request("/", ["service-router-svca-demo": "svca-pr2.demo"]))?.host == "svca-pr2.demo.svc.cluster.local")
        #expect(table.destination(request("/"))?.host == "svca.demo.svc.cluster.local")
    }

    @Test func reapplyingReplacesGeneratedRoutes() throws {
        let once = ServiceRouter.apply(to: try defaultOnly(), service: "svca", namespace: "demo", replicas: ["svca-pr1", "svca-pr2"])
        let twice = ServiceRouter.apply(to: once, service: "svca", namespace: "demo", replicas: ["svca-pr3"])
        #expect(twice.routes.map(\.name) == ["feature", "service-router/svca-pr3", "default"])
    }

    @Test func generatedRoutesMatchTheScenarioFile() throws {
        // sidecar-pr-router.yaml is what the service router produces for replica svca-pr1.
        let scenario = RouteTable(try Fixture.load("sidecar-pr-router.yaml").routeSets[0])
        var set = scenario.routeSet
        set.routes.removeFirst()  // keep only the default route
        let generated = RouteTable(ServiceRouter.apply(to: set, service: "svca", namespace: "demo", replicas: ["svca-pr1"]))
        for headers in [["service-router-svca-demo": "svca-pr1.demo"], ["service-router-svca-demo": "other.demo"], [:]] {
            #expect(generated.destination(request("/", headers))?.host == scenario.destination(request("/", headers))?.host)
        }
    }

    @Test func resolvesAddressesFromEndpoints() throws {
        let endpoints = Endpoints(hosts: ["svca-pr1.demo.svc.cluster.local": .init(addresses: ["10.1.0.1:80"])])
        let set = ServiceRouter.apply(to: try defaultOnly(), service: "svca", namespace: "demo", replicas: ["svca-pr1"], endpoints: endpoints)
        #expect(set.routes[1].destinations[0].destination.addresses == ["10.1.0.1:80"])
    }
}
