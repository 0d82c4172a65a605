import Analyzer
import KeiroModel
import Testing

/// Hand-built traces of the demo topology, each flagged exactly as expected.
@Suite struct FlagGoldenTests {
    /// edge → gateway → search-api: try 1 gets 503, try 2 cannot connect, try 3 gets 503,
    /// retries run out (URX) and the 503 goes back to the client.
    @Test func retryStorm() {
        let gateway = routed("search-api-primary", route: "search")
        let tree = TraceTree([
            golden(1, nil, "edge", "GET /search", .server, 0, 100, status: 503, routed("gateway-primary") + [(KeiroAttributes.requestID, .string("r1"))]),
            golden(2, 1, "edge", "GET", .client, 1, 99, status: 503, routed("gateway-primary")),
            golden(3, 2, "gateway", "GET /search", .server, 2, 98, status: 503,
                   gateway + [(KeiroAttributes.attempts, .int(3)), (KeiroAttributes.responseFlags, .string("URX"))]),
            golden(4, 3, "gateway", "GET", .client, 3, 20, status: 503, gateway + [(KeiroAttributes.retryReason, .string("503 (retryOn 5xx)"))]),
            golden(5, 4, "search-api", "GET /search", .server, 4, 19, status: 503),
            golden(6, 3, "gateway", "GET", .client, 45, 46,
                   gateway + [("error.type", .string("connection_refused")), (SemanticAttributes.resendCount, .int(1)),
                              (KeiroAttributes.retryReason, .string("connect-failure (retryOn connect-failure)"))]),
            golden(7, 3, "gateway", "GET", .client, 60, 95, status: 503, gateway + [(SemanticAttributes.resendCount, .int(2))]),
            golden(8, 7, "search-api", "GET /search", .server, 61, 94, status: 503),
        ])
        let report = tree.flagReport()
        #expect(report.flags == [.retried, .retriesExhausted, .error, .absorbedError])
        #expect(report.findings.map(\.description) == [
            "[retries-exhausted] gateway gave up after 3 attempts (URX) and answered status 503 URX, the last try ended with status 503",
            "[retried] gateway → search-api-primary (route search): 3 attempts; try 1: status 503, retried on status 503 (retryOn 5xx); "
                + "try 2: connection_refused, retried on connect failure (retryOn connect-failure); try 3: status 503",
            "[absorbed-error] error origin: search-api GET /search (status 503); passed up by gateway; absorbed: gateway retried the call",
            "[absorbed-error] error origin: gateway GET (connection_refused); absorbed: gateway retried the call",
            "[error] error origin: search-api GET /search (status 503); passed up by gateway → edge",
        ])
        #expect(report.findings[1].spanIDs == [SpanID(4), SpanID(6), SpanID(7)])
        #expect(report.findings[4].spanIDs == [8, 7, 3, 2, 1].map(SpanID.init))
        #expect(tree.hopChain(to: tree.index(of: 8)).map(\.description) == ["edge", "gateway", "search-api"])
    }

    /// perTryTimeout 3 s, route timeout 5 s: try 1 is cut at 3 s and retried, try 2 by the
    /// route timeout; the gateway answers 504 UT, the edge passes it on. The backend kept
    /// working past both cuts.
    @Test func perTryThenOverallTimeout() {
        let gateway = routed("search-api-primary", route: "search")
        let tree = TraceTree([
            golden(1, nil, "edge", "GET /search", .server, 0, 5_004, status: 504, routed("gateway-primary")),
            golden(2, 1, "edge", "GET", .client, 1, 5_003, status: 504, routed("gateway-primary")),
            golden(3, 2, "gateway", "GET /search", .server, 2, 5_002, status: 504,
                   gateway + [("error.type", .string("timeout")), (KeiroAttributes.attempts, .int(2)),
                              (KeiroAttributes.responseFlags, .string("UT")), (KeiroAttributes.responseDetails, .string("upstream_response_timeout")),
                              (KeiroAttributes.timeout, .string("overall"))]),
            golden(4, 3, "gateway", "GET", .client, 2, 3_002,
                   gateway + [("error.type", .string("timeout")), (KeiroAttributes.retryReason, .string("per-try-timeout (retryOn 5xx)")),
                              (KeiroAttributes.timeout, .string("per_try"))]),
            golden(5, 4, "search-api", "GET /search", .server, 3, 9_000, status: 200),
            golden(6, 3, "gateway", "GET", .client, 3_027, 5_002,
                   gateway + [("error.type", .string("timeout")), (SemanticAttributes.resendCount, .int(1)), (KeiroAttributes.timeout, .string("overall"))]),
            golden(7, 6, "search-api", "GET /search", .server, 3_028, 9_500, status: 200),
        ])
        let report = tree.flagReport()
        #expect(report.flags == [.retried, .perTryTimeout, .overallTimeout, .error, .absorbedError])
        #expect(report.findings.map(\.description) == [
            "[overall-timeout] gateway answered status 504 UT after 5.000s: the route timeout (overall) fired (upstream_response_timeout)",
            "[retried] gateway → search-api-primary (route search): 2 attempts; try 1: per-try timeout after 3.000s, retried on per-try timeout (retryOn 5xx); "
                + "try 2: route timeout after 1.975s",
            "[per-try-timeout] try 1 gateway → search-api-primary was cut by the per-try timeout after 3.000s",
            "[absorbed-error] error origin: gateway GET (per-try timeout after 3.000s); absorbed: gateway retried the call",
            "[overall-timeout] try 2 gateway → search-api-primary was cut by the route timeout (overall) after 1.975s",
            "[error] error origin: gateway GET (route timeout after 1.975s); passed up by edge",
        ])
    }

    /// The same request twice: through the canary gateway, then through the primary one.
    @Test func canaryVersusPrimary() {
        func request(via gateway: String, trace: TraceID) -> TraceTree {
            TraceTree([
                golden(1, nil, "edge", "GET /search", .server, 0, 50, status: 200, routed(gateway), trace: trace),
                golden(2, 1, "edge", "GET", .client, 1, 49, status: 200, routed(gateway), trace: trace),
                golden(3, 2, gateway, "GET /search", .server, 2, 48, status: 200, routed("search-api-primary", route: "search"), trace: trace),
                golden(4, 3, gateway, "GET", .client, 3, 47, status: 200, routed("search-api-primary", route: "search"), trace: trace),
                golden(5, 4, "search-api", "GET /search", .server, 4, 46, status: 200, trace: trace),
            ])
        }
        let canary = request(via: "gateway-canary", trace: TraceID(high: 1, low: 10)).flagReport()
        #expect(canary.flags == .canary)
        #expect(canary.findings.map(\.description) == ["[canary] edge routed to canary gateway-canary (decision weight)"])
        #expect(canary.findings[0].spanIDs == [SpanID(1)])
        let primary = request(via: "gateway-primary", trace: TraceID(high: 1, low: 11)).flagReport()
        #expect(primary.flags == [])
        #expect(primary.findings.isEmpty)
    }

    /// The BFF's sidecar sends a request carrying the per-PR header to the svca-pr1 replica.
    @Test func headerRoutedPullRequestReplica() {
        let route = routed("svca-pr1.demo.svc.cluster.local", route: "pr1", decision: "header")
        let headers: [(String, AttributeValue)] = [
            ("http.request.header.feature", .array([.string("v1")])),
            ("http.request.header.service-router-svca-demo", .array([.string("svca-pr1.demo")])),
        ]
        let tree = TraceTree([
            golden(1, nil, "bff", "GET /aggregate", .server, 0, 40, status: 200),
            golden(2, 1, "bff", "GET", .client, 1, 39, status: 200),
            golden(3, 2, "bff-sidecar", "GET", .server, 2, 38, status: 200, headers + route),
            golden(4, 3, "bff-sidecar", "GET", .client, 3, 37, status: 200, route),
            golden(5, 4, "svca-pr1", "GET /items", .server, 4, 36, status: 200),
        ])
        let report = tree.flagReport()
        #expect(report.flags == .headerRoute)
        #expect(report.findings.map(\.description) == [
            "[header-route] bff-sidecar took header route pr1 to svca-pr1.demo.svc.cluster.local: header service-router-svca-demo: svca-pr1.demo"
        ])
        #expect(tree.hopChain(to: tree.index(of: 5)).map(\.description) == ["bff", "bff-sidecar", "svca-pr1"])
    }

    /// A backend's spans arrive but the sidecar's never did.
    @Test func orphan() {
        let tree = TraceTree([
            golden(1, nil, "gateway", "GET /aggregate", .server, 0, 100, status: 200),
            golden(5, 4, "reviews", "GET /reviews", .server, 20, 30, status: 500),
        ])
        let report = tree.flagReport()
        #expect(report.flags == [.error, .incomplete])
        #expect(report.findings.map(\.description) == [
            "[incomplete] parent span \(SpanID(4)) is not stored; 1 span(s) hang under a placeholder",
            "[error] error origin: reviews GET /reviews (status 500)",
        ])
    }

    /// Spans without Keiro attributes (an OpenTelemetry SDK, Envoy): sequential failed
    /// calls to one destination are attempts; a 504 at the 3 s mark is a timeout; a
    /// service named canary is a canary.
    @Test func inferredWithoutKeiroAttributes() {
        let search: [(String, AttributeValue)] = [(SemanticAttributes.serverAddress, .string("search-api")), (SemanticAttributes.serverPort, .int(80))]
        let tree = TraceTree([
            golden(1, nil, "bff", "GET /aggregate", .server, 0, 3_200, status: 504),
            golden(2, 1, "bff", "GET /search", .client, 10, 20, status: 503, search),
            golden(3, 1, "bff", "GET /search", .client, 45, 3_050, status: 504, search),
            golden(4, 3, "search-api-canary", "GET /search", .server, 47, 3_048, status: 504),
            golden(5, 4, "search-api-canary", "SELECT", .client, 50, 9_000),
        ])
        let report = tree.flagReport()
        #expect(report.flags == [.retried, .overallTimeout, .retriesExhausted, .canary, .error, .absorbedError, .inferred])
        #expect(report.findings.map(\.description) == [
            "[retries-exhausted] bff → search-api:80: all 2 attempts failed, the last with status 504 (inferred)",
            "[retried] bff → search-api:80: 2 attempts; try 1: status 503, retried on status 503; try 2: status 504 (inferred)",
            "[absorbed-error] error origin: bff GET /search (status 503); absorbed: bff retried the call",
            "[overall-timeout] search-api-canary GET /search ended with status 504 after 3.001s, reaching the 3s timeout (inferred)",
            "[canary] search-api-canary (a canary by its name) served GET /search (inferred)",
            "[error] error origin: search-api-canary GET /search (status 504); passed up by bff",
        ])
    }

    @Test func flagNamesAreStableAndRoundTrip() {
        #expect(TraceFlags.names.map { $0.flags.rawValue } == (0..<11).map { Int64(1) << $0 })
        for entry in TraceFlags.names { #expect(TraceFlags(name: entry.name) == entry.flags) }
        #expect(TraceFlags(name: "timeout") == [.perTryTimeout, .overallTimeout])
        #expect(TraceFlags(name: "Header-Route") == .headerRoute)
        #expect(TraceFlags(name: "nope") == nil)
        let flags: TraceFlags = [.retried, .canary]
        #expect(flags.rawValue == 17)
        #expect(flags.flagNames == ["retried", "canary"])
        #expect(flags.intersects(TraceFlags(name: "retry")!))
        #expect(!flags.intersects(TraceFlags(name: "timeout")!))
    }
}

@Suite struct PartialRetryTests {
    /// Only the third try's span arrived, and a proxy that reports its tries only as a count.
    @Test func retriesAreFlaggedWhenSomeTriesAreNotStored() {
        let tree = TraceTree([
            golden(1, nil, "gateway", "GET /search", .server, 0, 100, status: 200,
                   routed("search-api-primary", route: "search") + [(KeiroAttributes.attempts, .int(3))]),
            golden(4, 1, "gateway", "GET", .client, 60, 95, status: 200,
                   routed("search-api-primary", route: "search") + [(SemanticAttributes.resendCount, .int(2))]),
            golden(5, nil, "bff-sidecar", "GET", .server, 200, 300, status: 200,
                   routed("backend-api.example.internal") + [(KeiroAttributes.attempts, .int(2))]),
        ])
        #expect(tree.flagReport().findings.map(\.description) == [
            "[retried] gateway → search-api-primary (route search): 3 attempts (1 stored); try 3: status 200",
            "[retried] bff-sidecar made 2 attempts to backend-api.example.internal and answered status 200; the tries' spans are not stored",
        ])
    }
}

/// The flags the store records per span at ingest agree with the tree analysis on the
/// span facts they share.
@Suite struct RecordedFlagTests {
    private func span(_ attributes: [Attribute]) -> Span {
        Span(
            traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), parentSpanID: SpanID(4), name: "GET", kind: .server,
            startTimeUnixNano: 0, endTimeUnixNano: 1, attributes: attributes)
    }

    @Test func envoyPerTryTimeoutIsPerTry() {
        let envoy = span([
            Attribute("response_flags", .string("UT")), Attribute("response_code_details", .string("upstream_per_try_timeout")),
        ])
        #expect(TraceFlags.recorded(by: envoy) == .perTryTimeout)
        #expect(TraceFlags.recorded(by: span([Attribute("response_flags", .string("UT"))])) == .overallTimeout)
    }

    @Test func attemptsCountProvesARetry() {
        #expect(TraceFlags.recorded(by: span([Attribute(KeiroAttributes.attempts, .int(3))])) == .retried)
        #expect(TraceFlags.recorded(by: span([Attribute(KeiroAttributes.attempts, .int(1))])) == [])
    }
}
