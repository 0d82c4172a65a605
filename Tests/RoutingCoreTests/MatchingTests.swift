import KeiroModel
import RoutingCore
import Testing

/// Every Istio match kind, AND within a block, OR across blocks, first match wins, NR.
@Suite struct MatchingTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var match: String
        var request: RouteRequest
        var matches: Bool
        var testDescription: String { "\(match) vs \(request.method) \(request.path)" }

        init(_ matches: Bool, _ match: String, _ target: String, _ headers: [String: String] = [:], method: String = "GET", authority: String? = nil) {
            self.match = match
            var built = RoutingCoreTests.request(target, headers, method: method)
            built.authority = authority ?? built.authority
            request = built
            self.matches = matches
        }
    }

    static let cases: [Case] = [
        // uri
        Case(true, "uri: { exact: /search }", "/search"),
        Case(true, "uri: { exact: /search }", "/search?q=1"),  // the query string is not part of the path
        Case(false, "uri: { exact: /search }", "/search/"),
        Case(false, "uri: { exact: /search }", "/SEARCH"),
        Case(true, "{ uri: { exact: /search }, ignoreUriCase: true }", "/SEARCH"),
        Case(true, "uri: { prefix: /api }", "/api/v1"),
        Case(true, "uri: { prefix: /api }", "/apix"),
        Case(false, "uri: { prefix: /api }", "/ap"),
        Case(false, "uri: { prefix: /api }", "/API/v1"),
        Case(true, "{ uri: { prefix: /api }, ignoreUriCase: true }", "/API/v1"),
        Case(true, "uri: { regex: '/items/[0-9]+' }", "/items/42"),
        Case(false, "uri: { regex: '/items/[0-9]+' }", "/items/42/reviews"),  // whole-string match
        Case(false, "uri: { regex: '/items/[0-9]+' }", "/x/items/42"),
        Case(false, "{ uri: { regex: '/Items/[0-9]+' }, ignoreUriCase: true }", "/items/1"),  // ignoreUriCase: exact/prefix only
        // method, scheme, authority
        Case(true, "method: { exact: POST }", "/", method: "POST"),
        Case(false, "method: { exact: POST }", "/", method: "GET"),
        Case(true, "method: { regex: 'GET|HEAD' }", "/", method: "HEAD"),
        Case(false, "scheme: { exact: https }", "/"),
        Case(true, "scheme: { exact: http }", "/"),
        Case(true, "authority: { prefix: api. }", "/", authority: "api.example.com"),
        Case(false, "authority: { prefix: api. }", "/", authority: "www.example.com"),
        Case(true, "authority: { exact: a.svc }", "/", ["host": "a.svc"]),
        // headers
        Case(true, "headers: { feature: { exact: v1 } }", "/", ["feature": "v1"]),
        Case(false, "headers: { feature: { exact: v1 } }", "/", ["feature": "v10"]),
        Case(false, "headers: { feature: { exact: v1 } }", "/", [:]),
        Case(true, "headers: { Feature: { exact: v1 } }", "/", ["FEATURE": "v1"]),
        Case(true, "headers: { feature: { prefix: v } }", "/", ["feature": "v2"]),
        Case(false, "headers: { feature: { prefix: v } }", "/", ["feature": "x"]),
        Case(true, "headers: { feature: { regex: 'v[12]' } }", "/", ["feature": "v2"]),
        Case(false, "headers: { feature: { regex: 'v[12]' } }", "/", ["feature": "v23"]),
        Case(true, "headers: { feature: {} }", "/", ["feature": ""]),
        Case(false, "headers: { feature: {} }", "/", [:]),
        Case(true, "headers: { feature: { exact: '' } }", "/", ["feature": ""]),
        // withoutHeaders (Envoy invert_match; a missing header counts as empty)
        Case(true, "withoutHeaders: { debug: {} }", "/", [:]),
        Case(false, "withoutHeaders: { debug: {} }", "/", ["debug": "1"]),
        Case(false, "withoutHeaders: { user: { exact: bot } }", "/", ["user": "bot"]),
        Case(true, "withoutHeaders: { user: { exact: bot } }", "/", ["user": "alice"]),
        Case(true, "withoutHeaders: { user: { exact: bot } }", "/", [:]),
        Case(false, "withoutHeaders: { user: { regex: '.*' } }", "/", [:]),
        // queryParams
        Case(true, "queryParams: { q: { exact: shoes } }", "/search?q=shoes&x=1"),
        Case(false, "queryParams: { q: { exact: shoes } }", "/search?q=hats"),
        Case(false, "queryParams: { q: { exact: shoes } }", "/search"),
        Case(true, "queryParams: { page: { regex: '[0-9]+' } }", "/?page=12"),
        Case(false, "queryParams: { page: { regex: '[0-9]+' } }", "/?page=1a"),
        // AND within a block
        Case(true, "{ uri: { prefix: /api }, headers: { feature: { exact: v1 } } }", "/api", ["feature": "v1"]),
        Case(false, "{ uri: { prefix: /api }, headers: { feature: { exact: v1 } } }", "/api", [:]),
        Case(false, "{ uri: { prefix: /api }, headers: { feature: { exact: v1 } } }", "/web", ["feature": "v1"]),
    ]

    @Test(arguments: cases)
    func matchKind(_ testCase: Case) throws {
        let yaml = virtualService(http: """
              - name: target
                match:
                  - \(testCase.match)
                route: [{ destination: { host: a } }]
        """)
        let table = RouteTable(try #require(try ConfigLoader.load(yaml: yaml).routeSets.first))
        #expect((table.routeName(testCase.request) == "target") == testCase.matches)
    }

    @Test(arguments: [("/a", true), ("/b", true), ("/c", false)])
    func blocksAreORed(path: String, matches: Bool) throws {
        let yaml = virtualService(http: """
              - name: target
                match: [{ uri: { exact: /a } }, { uri: { exact: /b } }]
                route: [{ destination: { host: a } }]
        """)
        let table = RouteTable(try ConfigLoader.load(yaml: yaml).routeSets[0])
        #expect((table.routeName(request(path)) == "target") == matches)
    }

    @Test(arguments: [
        ("/api/v1/users", ["x": "1"], "exact-with-header"),
        ("/api/v1/users", [:], "prefix-v1"),
        ("/api/v1/other", [:], "prefix-v1"),
        ("/api/v2", [:], "regex"),
        ("/api", [:], "catch-all"),
        ("/zzz", [:], "catch-all"),
    ])
    func firstMatchWins(path: String, headers: [String: String], expected: String) throws {
        let yaml = virtualService(http: """
              - name: exact-with-header
                match: [{ uri: { exact: /api/v1/users }, headers: { x: {} } }]
                route: [{ destination: { host: a } }]
              - name: prefix-v1
                match: [{ uri: { prefix: /api/v1 } }]
                route: [{ destination: { host: a } }]
              - name: shadowed-exact
                match: [{ uri: { exact: /api/v1/users } }]
                route: [{ destination: { host: a } }]
              - name: regex
                match: [{ uri: { regex: '/api/v[0-9]+' } }]
                route: [{ destination: { host: a } }]
              - name: catch-all
                route: [{ destination: { host: a } }]
              - name: never
                match: [{ uri: { prefix: / } }]
                route: [{ destination: { host: a } }]
        """)
        let table = RouteTable(try ConfigLoader.load(yaml: yaml).routeSets[0])
        #expect(table.routeName(request(path, headers)) == expected)
    }

    @Test func noMatchAnswersNR404() throws {
        let table = try Fixture.table("gateway.yaml")
        var random = SplitMix64(seed: 1)
        guard case .noRoute(let reply) = table.decide(request("/nothing"), using: &random) else {
            Issue.record("expected no route")
            return
        }
        #expect(reply.status == 404 && reply.flags == [.noRouteFound] && reply.details == "route_not_found")
    }

    @Test(arguments: [
        ("/static/app.js", "/static/*", true), ("/static", "/static/*", false),
        ("/img/a.png", "/img/*.png", true), ("/img/a.jpg", "/img/*.png", false),
        ("/v1/x", "/v?/x", true), ("/v10/x", "/v?/x", false), ("/exact", "/exact", true),
    ])
    func edgePathWildcards(path: String, pattern: String, matches: Bool) throws {
        let yaml = """
        kind: Edge
        listeners:
          - port: 80
            rules:
              - priority: 5
                conditions: { path: "\(pattern)" }
                forward: { targetGroups: [{ name: tg, targets: ["10.0.0.1:80"] }] }
        """
        let table = RouteTable(try ConfigLoader.load(yaml: yaml).routeSets[0])
        #expect((table.routeName(request(path)) != nil) == matches)
    }

    @Test func edgeRulesGoByPriorityThenDefault() throws {
        let yaml = """
        kind: Edge
        listeners:
          - port: 80
            rules:
              - priority: 20
                conditions: { path: "/api/*" }
                forward: { targetGroups: [{ name: api, targets: ["10.0.0.1:80"] }] }
              - priority: 10
                conditions: { path: ["/api/admin/*", "/admin/*"], method: [POST, PUT], header: { name: X-Team, values: ["ops*"] } }
                forward: { targetGroups: [{ name: admin, targets: ["10.0.0.2:80"] }] }
              - priority: 30
                conditions: { host: "*.example.com", query: { lang: "e?" } }
                forward: { targetGroups: [{ name: web, targets: ["10.0.0.3:80"] }] }
            defaultAction:
              forward: { targetGroups: [{ name: fallback, targets: ["10.0.0.9:80"] }] }
        """
        let table = RouteTable(try ConfigLoader.load(yaml: yaml).routeSets[0])
        #expect(table.routeSet.routes.map(\.name) == ["priority 10", "priority 20", "priority 30", "default"])
        #expect(table.routeName(request("/api/admin/x", ["x-team": "OPS-1"], method: "PUT")) == "priority 10")
        #expect(table.routeName(request("/admin/x", ["x-team": "ops"], method: "POST")) == "priority 10")
        #expect(table.routeName(request("/api/admin/x", ["x-team": "dev"], method: "PUT")) == "priority 20")
        #expect(table.routeName(request("/api/admin/x", ["x-team": "ops"], method: "GET")) == "priority 20")
        #expect(table.routeName(request("/?lang=EN", ["host": "www.Example.com"])) == "priority 30")
        #expect(table.routeName(request("/?lang=fr", ["host": "www.example.com"])) == "default")
    }

    @Test func gatewayMatchShapes() throws {
        let yaml = """
        kind: Gateway
        routes:
          - name: writes
            match: [{ pathPrefix: /items, methods: [POST, PUT] }, { path: /bulk }]
            targetGroup: tg
          - name: regex
            match: { pathRegex: "/items/[0-9]+", headers: { x-beta: "yes" }, withoutHeaders: { x-bot: {} }, queryParams: { v: { regex: "[0-9]" } } }
            targetGroup: tg
          - name: any-case
            match: { pathPrefix: /Docs, ignoreCase: true }
            targetGroup: tg
        targetGroups:
          tg: [{ name: tg, targets: ["10.0.0.1:80"] }]
        """
        let table = RouteTable(try ConfigLoader.load(yaml: yaml).routeSets[0])
        #expect(table.routeName(request("/items/1", method: "PUT")) == "writes")
        #expect(table.routeName(request("/bulk", method: "GET")) == "writes")
        #expect(table.routeName(request("/items/1?v=3", ["x-beta": "yes"])) == "regex")
        #expect(table.routeName(request("/items/1?v=3", ["x-beta": "yes", "x-bot": "1"])) == nil)
        #expect(table.routeName(request("/docs/intro")) == "any-case")
    }
}

@Suite struct RegexTests {
    @Test(arguments: [
        ("/items/[0-9]+", "/items/"), ("/api/v1", "/api/v1"), ("/ab?c", "/a"), ("/a*", "/"), ("/x{2}", "/"),
        ("(/a|/b)", ""), ("/a|/b", ""), ("^/a", ""), ("[a-z]+", ""), (".*", ""), ("/a\\.b", "/a"),
    ])
    func literalPrefix(pattern: String, prefix: String) throws {
        #expect(try MatchRegex(pattern).literalPrefix == prefix)
        #expect(try MatchRegex(pattern, caseInsensitive: true).literalPrefix == "")
    }

    @Test(arguments: [
        ("a(?!b)", "a look-ahead (?!)"), ("(?<=a)b", "a look-behind (?<=)"), ("(a)\\1", "a back-reference (\\1)"),
        ("(?>a)", "an atomic group (?>)"), ("a++", "a possessive quantifier (++)"), ("a{2}+", "a possessive quantifier (}+)"),
    ])
    func rejectsNonRE2Syntax(pattern: String, construct: String) {
        #expect {
            try MatchRegex(pattern)
        } throws: { error in
            (error as? MatchRegex.Problem)?.message == "regex '\(pattern)' uses \(construct), which RE2 (Envoy) does not support"
        }
    }

    @Test(arguments: ["[(?=]", "\\(?=x\\)", "a+b", "[\\1]", "(?i)abc", "(?:a|b)"])
    func acceptsRE2Syntax(pattern: String) {
        #expect(throws: Never.self) { try MatchRegex(pattern) }
    }

    @Test func matchesWholeStringOnly() throws {
        let regex = try MatchRegex("v[0-9]+")
        #expect(regex.wholeMatch("v12") && !regex.wholeMatch("v12x") && !regex.wholeMatch("xv12"))
        #expect(try MatchRegex("a|b").wholeMatch("b") && !MatchRegex("a|b").wholeMatch("ab"))
    }
}
