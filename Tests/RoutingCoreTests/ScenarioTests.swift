import RoutingCore
import Testing

/// Every file of ../shared/scenarios (bundled as fixtures) loads and behaves as its README says.
@Suite struct ScenarioTests {
    @Test func edgeSplitsEveryPathNinetyTen() throws {
        let config = try Fixture.load("edge.yaml")
        let set = try #require(config.routeSets.first)
        #expect(set.kind == .edge && set.port == 8080)
        #expect(set.accessLog == AccessLogSettings(directory: "./alb-logs", rotateSeconds: 300, gzip: true))
        let table = RouteTable(set)
        for path in ["/", "/search?q=1", "/aggregate/x"] {
            #expect(table.routeName(request(path)) == "priority 1")
        }
        #expect(table.shares(ofRoute: 0) == [0.9, 0.1])
        let route = set.routes[0]
        #expect(route.destinations.map(\.destination.host) == ["gateway-primary", "gateway-canary"])
        #expect(route.destinations.map(\.destination.addresses) == [["127.0.0.1:8081"], ["127.0.0.1:8082"]])
        #expect(route.retries == .disabled && route.timeout == nil)
    }

    @Test func gatewayRoutesByPathWithRetriesAndTimeouts() throws {
        let table = try Fixture.table("gateway.yaml")
        #expect(table.routeName(request("/search?q=shoes")) == "search")
        #expect(table.routeName(request("/searchable")) == "search")  // Envoy prefix is a string prefix
        #expect(table.routeName(request("/aggregate/home")) == "aggregate")
        #expect(table.routeName(request("/other")) == nil)
        let search = table.routeSet.routes[0]
        #expect(search.timeout == .seconds(5))
        #expect(search.retries.attempts == 2 && search.retries.perTryTimeout == .seconds(2))
        #expect(search.retries.retryOn == [.fiveXX, .connectFailure] && search.retries.retriableStatusCodes.isEmpty)
        #expect(table.shares(ofRoute: 0) == [0.9, 0.1])
        let aggregate = table.routeSet.routes[1]
        #expect(aggregate.timeout == .seconds(8) && aggregate.retries == .istioDefault && aggregate.retriesSource == .istioDefault)
        #expect(aggregate.destinations.map(\.destination.addresses) == [["127.0.0.1:9001"]])
    }

    @Test func sidecarSearchSplitsSubsetsWithRetries() throws {
        let table = try Fixture.table("sidecar-search.yaml", "endpoints.yaml")
        let route = table.routeSet.routes[0]
        #expect(table.routeSet.name == "search-api" && table.routeSet.namespace == "searchns")
        #expect(route.destinations.map(\.destination.subset) == ["primary", "canary"])
        #expect(route.destinations.map(\.destination.addresses) == [["127.0.0.1:9101"], ["127.0.0.1:9102"]])
        #expect(table.shares(ofRoute: 0) == [0.9, 0.1])
        #expect(route.retries.attempts == 2 && route.retries.perTryTimeout == .seconds(4))
        #expect(route.retries.retryOn == [.fiveXX, .connectFailure])
        #expect(route.timeout == .seconds(5))
    }

    @Test func sidecarBackendOutsideTheMesh() throws {
        let table = try Fixture.table("sidecar-backend.yaml", "endpoints.yaml")
        let route = table.routeSet.routes[0]
        #expect(route.retries.attempts == 2 && route.retries.perTryTimeout == .seconds(3) && route.timeout == .seconds(6))
        #expect(table.destination(request("/anything"))?.addresses == ["127.0.0.1:9201"])
    }

    @Test(arguments: [
        (["feature": "v1"], "reviews-v1.reviews.svc.cluster.local"),
        (["feature": "v2"], "reviews-v2.reviews.svc.cluster.local"),
        (["feature": "v3"], "reviews.reviews.svc.cluster.local"),
        (["Feature": "v1"], "reviews-v1.reviews.svc.cluster.local"),  // header names are case-insensitive
        (["feature": "V1"], "reviews.reviews.svc.cluster.local"),  // values are not
        ([:], "reviews.reviews.svc.cluster.local"),
    ])
    func sidecarReviewsRoutesFeatureBranchesByHeader(headers: [String: String], host: String) throws {
        let table = try Fixture.table("sidecar-reviews.yaml", "endpoints.yaml")
        #expect(table.destination(request("/reviews/1", headers))?.host == host)
    }

    @Test(arguments: [
        (["service-router-svca-demo": "svca-pr1.demo"], "svca-pr1.demo.svc.cluster.local"),
        (["service-router-svca-demo": "svca-pr2.demo"], "svca.demo.svc.cluster.local"),
        ([:], "svca.demo.svc.cluster.local"),
    ])
    func sidecarPullRequestReplica(headers: [String: String], host: String) throws {
        let table = try Fixture.table("sidecar-pr-router.yaml", "endpoints.yaml")
        #expect(table.destination(request("/", headers))?.host == host)
    }

    @Test(arguments: ["sidecar-search.yaml", "sidecar-backend.yaml", "sidecar-reviews.yaml", "sidecar-pr-router.yaml"])
    func sidecarFilesLoadAsWrittenWithoutEndpoints(file: String) throws {
        let config = try Fixture.load(file)
        #expect(config.endpoints == nil)
        let destinations = config.routeSets.flatMap(\.routes).flatMap(\.destinations)
        #expect(!destinations.isEmpty && destinations.allSatisfy { $0.destination.addresses.isEmpty })
    }

    @Test func jsonLoadsLikeYAML() throws {
        let table = try Fixture.table("gateway.json")
        let route = table.routeSet.routes[0]
        #expect(route.stickiness == .header("x-user-id"))
        #expect(route.retries.attempts == 1 && route.retries.retryOn == [.gatewayError])
        #expect(table.routeName(request("/search", ["feature": "v9"])) == "search")
        #expect(table.routeName(request("/search")) == nil)
    }

    @Test func allFixturesLoadTogether() throws {
        let config = try Fixture.load(
            "edge.yaml", "gateway.yaml", "endpoints.yaml", "sidecar-search.yaml", "sidecar-backend.yaml",
            "sidecar-reviews.yaml", "sidecar-pr-router.yaml"
        )
        #expect(config.routeSets.map(\.kind) == [.edge, .gateway, .sidecar, .sidecar, .sidecar, .sidecar])
    }

    @Test func multiDocumentFileKeepsEndpointsAlongside() throws {
        let yaml = """
        apiVersion: keiro.dev/v1
        kind: Endpoints
        hosts:
          a.svc: { addresses: ["10.0.0.1:80"] }
        ---
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata: { name: a }
        spec:
          hosts: [a.svc]
          http:
            - route: [{ destination: { host: a.svc, port: { number: 80 } } }]
        ---
        """
        let config = try ConfigLoader.load(yaml: yaml)
        let destination = try #require(config.routeSets.first?.routes.first?.destinations.first?.destination)
        #expect(destination == Destination(host: "a.svc", port: 80, addresses: ["10.0.0.1:80"]))
    }

    @Test func yamlAnchorsAndAliasesWork() throws {
        let yaml = virtualService(http: """
              - name: a
                match: [{ uri: { prefix: /a } }]
                route: [{ destination: { host: a } }]
                retries: &standard { attempts: 3, retryOn: "5xx" }
              - name: b
                route: [{ destination: { host: b } }]
                retries: *standard
        """)
        let routes = try ConfigLoader.load(yaml: yaml).routeSets[0].routes
        #expect(routes[1].retries == routes[0].retries && routes[1].retries.attempts == 3)
    }
}
