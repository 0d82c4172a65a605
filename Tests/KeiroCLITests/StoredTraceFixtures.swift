import KeiroModel
import Store
import TestSupport

/// Small, known traces written to a real store for the `traces` and `flame` command tests.
enum StoredTraceFixtures {
    static let ms: UInt64 = 1_000_000
    /// Trace `n` starts at `base + n` ms.
    static let base: UInt64 = 1_700_000_000_000_000_000

    static func start(_ n: UInt64) -> UInt64 { base + n * ms }

    static func trace(_ n: UInt64) -> TraceID { SpanFixtures.traceID(n) }

    /// A span of trace `n`: times in ms from its start, HTTP status as the attribute; ERROR
    /// from status 500 or with an `error.type`.
    static func span(
        _ n: UInt64, _ id: UInt64, parent: UInt64?, _ name: String, _ kind: SpanKind, _ from: UInt64, _ to: UInt64,
        status: Int64? = nil, route: String? = nil, _ attributes: [(String, AttributeValue)] = [], trace: TraceID? = nil
    ) -> Span {
        var all = attributes.map { Attribute($0.0, $0.1) }
        if let route {
            all.append(Attribute(SemanticAttributes.httpRoute, .string(route)))
            all.append(Attribute(SemanticAttributes.urlPath, .string(route)))
        }
        if let status { all.append(Attribute(SemanticAttributes.httpResponseStatusCode, .int(status))) }
        return Span(
            traceID: trace ?? self.trace(n), spanID: SpanID(n * 100 + id), parentSpanID: parent.map { SpanID(n * 100 + $0) }, name: name,
            kind: kind, startTimeUnixNano: start(n) + from * ms, endTimeUnixNano: start(n) + to * ms, attributes: all,
            status: SpanStatus(code: (status ?? 0) >= 500 || all["error.type"] != nil ? .error : .unset))
    }

    /// Keiro's routing attributes on a proxy's spans.
    static func routed(_ destination: String, route: String) -> [(String, AttributeValue)] {
        [(KeiroAttributes.destinationHost, .string(destination)), (KeiroAttributes.routeName, .string(route)),
         (KeiroAttributes.routingDecision, .string("weight"))]
    }

    /// The 128-bit id of the retry trace; its gateway and search-api spans are stored under the low 64 bits (B3 64-bit).
    static let retryTrace = TraceID(high: 0x5b8e_fff7_9803_8103, low: 0xd269_b633_8133_fc60)

    /// edge → gateway → search-api (as the analyzer's retry-storm golden): try 1 gets 503, try
    /// 2 cannot connect, try 3 gets 503, retries run out (URX), the 503 reaches the client.
    /// The edge reports the 128-bit id, the gateway and search-api its low 64 bits. The
    /// edge's access-log span runs beside the call, off the critical path.
    static func writeRetryTrace(_ store: SQLiteSpanStore) async throws {
        let n: UInt64 = 10
        let short = TraceID(high: 0, low: retryTrace.low)
        let gateway = routed("search-api-primary", route: "search")
        try await write(store, [
            ("edge", [
                span(n, 1, parent: nil, "GET /search", .server, 0, 100, status: 503, route: "/search",
                     routed("gateway-primary", route: "edge") + [(KeiroAttributes.requestID, .string("r1"))], trace: retryTrace),
                span(n, 2, parent: 1, "GET", .client, 1, 99, status: 503, routed("gateway-primary", route: "edge"), trace: retryTrace),
                span(n, 9, parent: 1, "write access log", .internal, 5, 50, trace: retryTrace),
            ]),
            ("gateway", [
                span(n, 3, parent: 2, "GET /search", .server, 2, 98, status: 503,
                     gateway + [(KeiroAttributes.attempts, .int(3)), (KeiroAttributes.responseFlags, .string("URX"))], trace: short),
                span(n, 4, parent: 3, "GET", .client, 3, 20, status: 503,
                     gateway + [(KeiroAttributes.retryReason, .string("503 (retryOn 5xx)"))], trace: short),
                span(n, 6, parent: 3, "GET", .client, 45, 46,
                     gateway + [("error.type", .string("connection_refused")), (SemanticAttributes.resendCount, .int(1)),
                                (KeiroAttributes.retryReason, .string("connect-failure (retryOn connect-failure)"))], trace: short),
                span(n, 7, parent: 3, "GET", .client, 60, 95, status: 503, gateway + [(SemanticAttributes.resendCount, .int(2))], trace: short),
            ]),
            ("search-api", [
                span(n, 5, parent: 4, "GET /search", .server, 4, 19, status: 503, trace: short),
                span(n, 8, parent: 7, "GET /search", .server, 61, 94, status: 503, trace: short),
            ]),
        ])
    }

    /// Three traces for the flame aggregate and differential:
    /// 20 gateway /search 0–10 ms calling search-api 2–8 ms (self: gateway 4 ms, search-api 6 ms)
    /// 21 gateway /search 0–20 ms calling search-api 5–15 ms (10 ms, 10 ms)
    /// 22 gateway /items 0–6 ms calling items-api 1–4 ms (3 ms, 3 ms).
    static func writeFlameTraces(_ store: SQLiteSpanStore) async throws {
        try await write(store, [
            ("gateway", [
                span(20, 1, parent: nil, "GET /search", .server, 0, 10, status: 200, route: "/search"),
                span(21, 1, parent: nil, "GET /search", .server, 0, 20, status: 200, route: "/search"),
                span(22, 1, parent: nil, "GET /items", .server, 0, 6, status: 200, route: "/items"),
            ]),
            ("search-api", [
                span(20, 2, parent: 1, "GET /search", .server, 2, 8, status: 200),
                span(21, 2, parent: 1, "GET /search", .server, 5, 15, status: 200),
            ]),
            ("items-api", [span(22, 2, parent: 1, "GET /items", .server, 1, 4, status: 200)]),
        ])
    }

    static func write(_ store: SQLiteSpanStore, _ spansByService: [(String, [Span])]) async throws {
        for (service, spans) in spansByService { _ = try await store.write(SpanFixtures.batch(service: service, spans: spans)) }
    }

    /// Five traces for the list filters:
    /// 0 gateway /search 10 ms · 1 gateway /search with `feature: v1`, 20 ms · 2 gateway /items 503, 30 ms
    /// 3 reviews /reviews with a retried call (resend_count 1), 40 ms, its backend span 35 ms
    /// 4 gateway /search 504 UT after a per-try timeout, 50 ms.
    static func writeListTraces(_ store: SQLiteSpanStore) async throws {
        try await write(store, [
            ("gateway", [span(0, 1, parent: nil, "GET /search", .server, 0, 10, status: 200, route: "/search")]),
            ("gateway", [span(1, 1, parent: nil, "GET /search", .server, 0, 20, status: 200, route: "/search",
                              [(SemanticAttributes.requestHeaderPrefix + "feature", .array([.string("v1")]))])]),
            ("gateway", [span(2, 1, parent: nil, "GET /items", .server, 0, 30, status: 503, route: "/items")]),
            ("reviews", [
                span(3, 1, parent: nil, "GET /reviews", .server, 0, 40, status: 200, route: "/reviews"),
                span(3, 2, parent: 1, "GET", .client, 1, 3, status: 503, [(KeiroAttributes.destinationHost, .string("ratings"))]),
                span(3, 3, parent: 1, "GET", .client, 4, 39, status: 200,
                     [(KeiroAttributes.destinationHost, .string("ratings")), (SemanticAttributes.resendCount, .int(1))]),
            ]),
            ("ratings", [span(3, 4, parent: 3, "GET /ratings", .server, 4, 39, status: 200)]),
            ("gateway", [
                span(4, 1, parent: nil, "GET /search", .server, 0, 50, status: 504, route: "/search",
                     [(KeiroAttributes.responseFlags, .string("UT"))]),
                span(4, 2, parent: 1, "GET", .client, 1, 49, status: 504, [(KeiroAttributes.timeout, .string("per_try"))]),
            ]),
        ])
    }
}
