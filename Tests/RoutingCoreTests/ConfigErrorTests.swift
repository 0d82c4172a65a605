import RoutingCore
import Testing

/// Each config error: its code, where it points (line:column), the field path and the message.
@Suite struct ConfigErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var yaml: String
        var code: ConfigError.Code
        var line: Int
        var column: Int
        var field: String
        var message: String
        var testDescription: String { "\(code) \(field)" }
    }

    /// A VirtualService whose `http:` list is `routes` (indented by 4).
    static func vs(_ routes: String) -> String {
        """
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata:
          name: reviews
        spec:
          hosts: [reviews]
          http:
        \(routes)
        """
    }

    static let gatewayGroups = """
    targetGroups:
      search-api:
        - { name: primary, weight: 90, targets: ["127.0.0.1:9101"] }
    """

    static let cases: [Case] = [
        Case(yaml: vs("""
            - route: [{ destination: { host: reviews } }]
              retries: { attempts: -1 }
        """), code: .negativeAttempts, line: 9, column: 28, field: "spec.http[0].retries.attempts",
             message: "retries.attempts must be ≥ 0, found -1"),
        Case(yaml: vs("""
            - route: [{ destination: { host: reviews } }]
              retries: { attempts: 2, retryOn: "5xxx,connect-failure" }
        """), code: .unknownRetryOn, line: 9, column: 40, field: "spec.http[0].retries.retryOn",
             message: "retryOn token '5xxx' is unknown; did you mean '5xx'?"),
        Case(yaml: vs("""
            - route: [{ destination: { host: reviews } }]
              retries: { attempts: 2, retryOn: "conect-failure" }
        """), code: .unknownRetryOn, line: 9, column: 40, field: "spec.http[0].retries.retryOn",
             message: "retryOn token 'conect-failure' is unknown; did you mean 'connect-failure'?"),
        Case(yaml: vs("""
            - route: [{ destination: { host: reviews } }]
              retries: { attempts: 2, retryOn: "5xx,,reset" }
        """), code: .unknownRetryOn, line: 9, column: 40, field: "spec.http[0].retries.retryOn",
             message: "retryOn '5xx,,reset' has an empty token; separate tokens with single commas"),
        Case(yaml: vs("""
            - route: [{ destination: { host: reviews } }]
              retries: { attempts: 2, retryOn: "5xx,999" }
        """), code: .unknownRetryOn, line: 9, column: 40, field: "spec.http[0].retries.retryOn",
             message: "retryOn status code 999 is not an HTTP status (100–599)"),
        Case(yaml: vs("""
            - route: [{ destination: { host: reviews } }]
              retries: { perTryTimeout: 2s }
        """), code: .retriesDisabled, line: 9, column: 16, field: "spec.http[0].retries",
             message: "perTryTimeout set while attempts is missing (0); retries are disabled, so set attempts ≥ 1 or remove them"),
        Case(yaml: vs("""
            - route:
                - { destination: { host: reviews, subset: v1 }, weight: 0 }
                - { destination: { host: reviews, subset: v2 } }
        """), code: .zeroTotalWeight, line: 9, column: 9, field: "spec.http[0].route",
             message: "total destination weight = 0; give at least one destination a weight > 0"),
        Case(yaml: vs("""
            - route: [{ destination: { host: reviews }, weight: -5 }]
        """), code: .invalidWeight, line: 8, column: 57, field: "spec.http[0].route[0].weight",
             message: "weight must be ≥ 0, found -5"),
        Case(yaml: vs("""
            - route: [{ destination: { host: reviews } }]
              timeout: 5x
        """), code: .invalidDuration, line: 9, column: 16, field: "spec.http[0].timeout",
             message: "'5x' is not a duration; use a number with a unit such as 500ms, 2s or 1m30s"),
        Case(yaml: vs("""
            - route: [{ destination: { host: reviews } }]
              retries: { attempts: 1, perTryTimeout: 500us }
        """), code: .invalidDuration, line: 9, column: 46, field: "spec.http[0].retries.perTryTimeout",
             message: "'500us' is too short; it must be at least 1ms"),
        Case(yaml: vs("""
            - route: [{ destination: { host: reviews } }]
              timeout: 1.5ms
        """), code: .invalidDuration, line: 9, column: 16, field: "spec.http[0].timeout",
             message: "'1.5ms' is finer than a millisecond; only millisecond precision is supported"),
        Case(yaml: vs("""
            - match: [{}]
              route: [{ destination: { host: reviews } }]
        """), code: .emptyMatch, line: 8, column: 15, field: "spec.http[0].match[0]",
             message: "an empty match block is invalid; remove the block to match every request"),
        Case(yaml: vs("""
            - match: [{ uri: { exact: /a, prefix: /b } }]
              route: [{ destination: { host: reviews } }]
        """), code: .invalidStringMatch, line: 8, column: 22, field: "spec.http[0].match[0].uri",
             message: "give exactly one of exact, prefix, regex; found exact and prefix"),
        Case(yaml: vs("""
            - match: [{ uri: { regex: "/a(?=b)" } }]
              route: [{ destination: { host: reviews } }]
        """), code: .invalidRegex, line: 8, column: 31, field: "spec.http[0].match[0].uri.regex",
             message: "regex '/a(?=b)' uses a look-ahead (?=), which RE2 (Envoy) does not support"),
        Case(yaml: vs("""
            - match: [{ uri: { regex: "/a[" } }]
              route: [{ destination: { host: reviews } }]
        """), code: .invalidRegex, line: 8, column: 31, field: "spec.http[0].match[0].uri.regex",
             message: "regex '/a[' does not compile"),
        Case(yaml: vs("""
            - match: [{ queryParams: { q: { prefix: a } } }]
              route: [{ destination: { host: reviews } }]
        """), code: .unsupportedField, line: 8, column: 37, field: "spec.http[0].match[0].queryParams.q.prefix",
             message: "'prefix' is not supported by Keiro: Istio does not support prefix matching here; use regex"),
        Case(yaml: vs("""
            - route: [{ destination: { host: reviews } }]
              retries: { attempts: 2, retryon: 5xx }
        """), code: .unknownField, line: 9, column: 31, field: "spec.http[0].retries.retryon",
             message: "unknown field 'retryon'; did you mean 'retryOn'?"),
        Case(yaml: vs("""
            - route: [{ destination: { host: reviews } }]
              fault: { abort: { httpStatus: 500 } }
        """), code: .unsupportedField, line: 9, column: 7, field: "spec.http[0].fault",
             message: "'fault' is not supported by Keiro: fault injection lives in Keiro's demo services, not in routes"),
        Case(yaml: vs("""
            - match: [{ uri: { exact: /a } }]
        """), code: .missingField, line: 8, column: 7, field: "spec.http[0]",
             message: "'route' is required"),
        Case(yaml: vs("""
            - route: { destination: { host: reviews } }
        """), code: .wrongType, line: 8, column: 14, field: "spec.http[0].route",
             message: "expected a list, found a mapping"),
        Case(yaml: vs("""
            - route: [{ destination: { host: reviews } }]
              retries: { attempts: two }
        """), code: .wrongType, line: 9, column: 28, field: "spec.http[0].retries.attempts",
             message: "expected an integer, found 'two'"),
        Case(yaml: """
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualServce
        """, code: .unknownDocument, line: 2, column: 7, field: "kind",
             message: "cannot tell what this document is: found kind 'VirtualServce' (networking.istio.io/v1alpha3); did you mean 'VirtualService'?; expected kind VirtualService (networking.istio.io), or Keiro's Edge, Gateway or Endpoints (keiro.dev/v1)"),
        Case(yaml: "routes: [\n  - name: x", code: .syntax, line: 2, column: 3, field: "",
             message: "invalid YAML/JSON: while parsing a flow node did not find expected node content"),
        Case(yaml: """
        routes:
          - name: search
            match: { pathPrefix: /search }
            targetGroup: serch-api
        \(gatewayGroups)
        """, code: .unknownReference, line: 4, column: 18, field: "routes[0].targetGroup",
             message: "targetGroup 'serch-api' is not defined in targetGroups; did you mean 'search-api'?"),
        Case(yaml: """
        routes:
          - name: search
            match: { pathPrefix: /search, path: /search }
            targetGroup: search-api
        \(gatewayGroups)
        """, code: .invalidStringMatch, line: 3, column: 12, field: "routes[0].match",
             message: "give at most one of path, pathPrefix, pathRegex; found path and pathPrefix"),
        Case(yaml: """
        routes:
          - { name: a, targetGroup: search-api }
          - { name: a, targetGroup: search-api }
        \(gatewayGroups)
        """, code: .duplicate, line: 3, column: 13, field: "routes[1].name",
             message: "route name 'a' is used twice"),
        Case(yaml: """
        listeners:
          - port: 8080
            rules:
              - priority: 1
                conditions: { path: "/*" }
                forward:
                  targetGroups:
                    - { name: primary, weight: 1000, targets: ["127.0.0.1:8081"] }
        """, code: .invalidWeight, line: 8, column: 40, field: "listeners[0].rules[0].forward.targetGroups[0].weight",
             message: "must be between 0 and 999, found 1000"),
        Case(yaml: """
        listeners:
          - port: 8080
            rules:
              - priority: 1
                conditions: { path: "/*" }
                forward:
                  targetGroups:
                    - { name: primary, weight: 0, targets: ["127.0.0.1:8081"] }
                    - { name: canary, weight: 0, targets: ["127.0.0.1:8082"] }
        """, code: .zeroTotalWeight, line: 8, column: 13, field: "listeners[0].rules[0].forward.targetGroups",
             message: "total destination weight = 0; give at least one destination a weight > 0"),
        Case(yaml: """
        listeners:
          - port: 8080
            rules:
              - { priority: 1, conditions: { path: "/a" }, forward: { targetGroups: [{ name: a, targets: ["h:1"] }] } }
              - { priority: 1, conditions: { path: "/b" }, forward: { targetGroups: [{ name: a, targets: ["h:1"] }] } }
        """, code: .duplicate, line: 5, column: 9, field: "listeners[0].rules[1]",
             message: "priority 1 is used by two rules; ALB priorities are unique"),
        Case(yaml: """
        listeners:
          - port: 8080
            rules:
              - { priority: 1, conditions: { path: "/a" }, forward: { targetGroups: [{ name: a, targets: ["nohost"] }] } }
        """, code: .invalidValue, line: 4, column: 98, field: "listeners[0].rules[0].forward.targetGroups[0].targets",
             message: "target 'nohost' is not host:port"),
        Case(yaml: """
        apiVersion: keiro.dev/v1
        kind: Endpoints
        hosts:
          reviews: { subsets: { v1: ["127.0.0.1:1"] } }
        ---
        \(vs("""
            - route: [{ destination: { host: reviews, subset: v3 } }]
        """))
        """, code: .unknownReference, line: 13, column: 55, field: "spec.http[0].route[0].destination.subset",
             message: "subset 'v3' of host 'reviews' is not defined in the endpoints section (it defines v1); did you mean 'v1'?"),
        Case(yaml: """
        apiVersion: keiro.dev/v1
        kind: Endpoints
        hosts:
          reviews: { addresses: ["127.0.0.1:1"] }
        ---
        \(vs("""
            - route: [{ destination: { host: reviewz } }]
        """))
        """, code: .unknownReference, line: 13, column: 38, field: "spec.http[0].route[0].destination.host",
             message: "host 'reviewz' is not defined in the endpoints section; did you mean 'reviews'?"),
    ]

    @Test(arguments: cases)
    func errorPointsAtTheProblem(_ testCase: Case) throws {
        let errors = configErrors(testCase.yaml)
        let error = try #require(errors.first, "expected an error")
        #expect(error.code == testCase.code)
        #expect(error.message == testCase.message)
        #expect(error.field == testCase.field)
        #expect(error.file == "test.yaml")
        #expect(error.line == testCase.line && error.column == testCase.column, "at \(error.line):\(error.column)")
        #expect(error.description == "test.yaml:\(testCase.line):\(testCase.column): error: \(testCase.field.isEmpty ? "" : "\(testCase.field): ")\(testCase.message)")
    }

    static let edgeRule = "forward: { targetGroups: [{ name: a, targets: [\"h:1\"] }] }"

    /// The remaining messages: code and text (positions are covered above).
    static let messages: [(yaml: String, code: ConfigError.Code, message: String)] = [
        ("apiVersion: v1\nkind: VirtualService", .unknownDocument,
         "a VirtualService needs apiVersion networking.istio.io/v1alpha3, networking.istio.io/v1beta1, networking.istio.io/v1; found v1"),
        ("apiVersion: v1\nkind: Endpoints\nhosts: {}", .unknownDocument,
         "Keiro's Endpoints document needs apiVersion keiro.dev/v1; found v1"),
        ("- a\n- b", .unknownDocument, "a configuration document must be a mapping"),
        ("routes: [{ targetGroup: a, colour: red }]\ntargetGroups: { a: [{ name: a, targets: [\"h:1\"] }] }", .unknownField,
         "unknown field 'colour'; expected one of match, name, retries, stickiness, targetGroup, timeout"),
        ("routes: [{ targetGroup: a, name: x, name: y }]\ntargetGroups: { a: [{ name: a, targets: [\"h:1\"] }] }", .duplicate,
         "key 'name' is given more than once in one mapping"),
        ("routes: [{ targetGroup: a }]\ntargetGroups: { a: [{ name: a, targets: [\"h:1\"] }, { name: a, targets: [\"h:2\"] }] }",
         .duplicate, "target group 'a' is listed twice"),
        ("routes: [{ targetGroup: a, match: {} }]\ntargetGroups: { a: [{ name: a, targets: [\"h:1\"] }] }", .emptyMatch,
         "an empty match block is invalid; remove 'match' to match every request"),
        ("routes: [{ targetGroup: a, stickiness: { header: a, cookie: b } }]\ntargetGroups: { a: [{ name: a, targets: [\"h:1\"] }] }",
         .invalidValue, "give exactly one of header, cookie"),
        ("routes: [{ targetGroup: \"\" }]\ntargetGroups: { a: [{ name: a, targets: [\"h:1\"] }] }", .invalidValue, "must not be empty"),
        ("routes: []\ntargetGroups: { a: [{ name: a, targets: [\"h:1\"] }] }", .invalidValue, "list at least one route"),
        ("routes: [{ targetGroup: a }]\ntargetGroups: { a: [] }", .invalidValue, "list at least one target group"),
        ("listeners: []", .invalidValue, "list at least one listener"),
        ("listeners: [{ port: 80, rules: [] }, { port: 80, rules: [] }]", .duplicate, "port 80 has two listeners"),
        ("listeners: [{ port: 80, rules: [{ priority: 1, conditions: {}, \(edgeRule) }] }]", .emptyMatch,
         "a rule needs at least one condition; use the listener's defaultAction for everything else"),
        ("listeners: [{ port: 80, rules: [{ priority: 1, conditions: { path: [/a, /b, /c, /d], method: [GET, PUT] }, \(edgeRule) }] }]",
         .invalidValue, "a rule allows at most 5 condition values (as ALB does); found 6"),
        ("listeners: [{ port: 70000, rules: [] }]", .invalidValue, "must be between 1 and 65535, found 70000"),
        (vs("    - match: [{ headers: { uri: { exact: /a } } }]\n      route: [{ destination: { host: a } }]"), .invalidValue,
         "Istio ignores 'uri' as a header match; use the match block's 'uri' field"),
        (vs("    - route: []"), .invalidValue, "list at least one destination"),
        (vs("    - route: [{ destination: { host: a }, headers: {} }]"), .unsupportedField,
         "'headers' is not supported by Keiro: header manipulation is not implemented"),
        ("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: a }\nspec: { hosts: [], http: [{ route: [{ destination: { host: a } }] }] }",
         .invalidValue, "list at least one host"),
        ("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: a }\nspec: { hosts: [a], tcp: [] }",
         .unsupportedField, "'tcp' is not supported by Keiro: Keiro routes HTTP only"),
        ("apiVersion: keiro.dev/v1\nkind: Endpoints\nhosts: { a: {} }", .invalidValue, "host 'a' needs addresses or subsets"),
        ("apiVersion: keiro.dev/v1\nkind: Endpoints\nhosts: { a: { subsets: { v1: [] } } }", .invalidValue,
         "subset 'v1' needs at least one address"),
        ("apiVersion: keiro.dev/v1\nkind: Endpoints\nhosts: { a: { addresses: [\"h:1\"] } }\n---\napiVersion: keiro.dev/v1\nkind: Endpoints\nhosts: { a: { addresses: [\"h:2\"] } }",
         .duplicate, "host 'a' is defined twice in the endpoints sections"),
        ("routes: [{ targetGroup: a, [x]: y }]\ntargetGroups: { a: [{ name: a, targets: [\"h:1\"] }] }", .wrongType,
         "mapping keys must be strings"),
    ]

    @Test(arguments: messages.indices)
    func message(_ index: Int) {
        let (yaml, code, message) = Self.messages[index]
        let first = configErrors(yaml).first
        #expect(first?.code == code, "\(String(describing: first))")
        #expect(first?.message == message)
    }

    @Test func everyProblemIsReportedNotOnlyTheFirst() {
        let errors = configErrors(Self.vs("""
            - route: [{ destination: { host: reviews } }]
              retries: { attempts: -1 }
              timeout: soon
            - route: []
        """))
        #expect(errors.map(\.code) == [.negativeAttempts, .invalidDuration, .invalidValue])
    }

    @Test func unreadableFileIsAnError() {
        #expect(throws: ConfigErrors.self) { try ConfigLoader.load(paths: ["/nonexistent/routes.yaml"]) }
    }

    @Test func documentWithoutRoutesIsAnError() {
        let errors = configErrors("apiVersion: keiro.dev/v1\nkind: Endpoints\nhosts: { a: { addresses: [\"h:1\"] } }")
        #expect(errors.map(\.code) == [.unknownDocument])
    }
}
