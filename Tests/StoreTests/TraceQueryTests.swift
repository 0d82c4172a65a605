import Analyzer
import KeiroModel
import Store
import TestSupport
import Testing

/// Every `TraceQuery` filter against a real SQLite store holding a small, known set of
/// traces (tiny segments, so the walk crosses segments too).
@Suite struct TraceQueryTests {
    /// Trace `n` starts at n ms and lasts (n + 1) × 10 ms.
    private static func start(_ n: UInt64) -> UInt64 { 1_700_000_000_000_000_000 + n * 1_000_000 }

    /// Writes seven traces:
    /// 0 gateway /search · 1 gateway /search feature=v1 · 2 gateway /items 503 (error)
    /// 3 reviews /reviews, a retried client call to the canary · 4 bff /aggregate with
    /// service-router header and a header route · 5 gateway /search per-try timeout then 504 UT
    /// 6 gateway /search/deep (path prefix) with a 90 ms backend span.
    private static func populate(_ store: SQLiteSpanStore) async throws {
        func server(_ n: UInt64, route: String, status: Int64 = 200, headers: [String: String] = [:], extra: [Attribute] = []) -> Span {
            var span = SpanFixtures.httpServerSpan(
                trace: SpanFixtures.traceID(n), id: SpanFixtures.spanID(n * 10), parent: nil, start: start(n),
                durationNanos: (n + 1) * 10_000_000, route: route, status: status, headers: headers)
            span.attributes.append(contentsOf: extra)
            return span
        }
        func client(_ n: UInt64, index: UInt64, attributes: [Attribute], durationNanos: UInt64 = 1_000_000) -> Span {
            Span(
                traceID: SpanFixtures.traceID(n), spanID: SpanFixtures.spanID(n * 10 + index), parentSpanID: SpanFixtures.spanID(n * 10),
                name: "GET", kind: .client, startTimeUnixNano: start(n) + index * 1_000, endTimeUnixNano: start(n) + index * 1_000 + durationNanos,
                attributes: attributes)
        }
        let batches: [SpanBatch] = [
            SpanFixtures.batch(service: "gateway", spans: [server(0, route: "/search")]),
            SpanFixtures.batch(service: "gateway", spans: [server(1, route: "/search", headers: ["feature": "v1"])]),
            SpanFixtures.batch(service: "gateway", spans: [server(2, route: "/items", status: 503)]),
            SpanFixtures.batch(service: "reviews", spans: [
                server(3, route: "/reviews"),
                client(3, index: 1, attributes: [
                    Attribute(KeiroAttributes.destinationHost, .string("reviews")), Attribute(KeiroAttributes.destinationSubset, .string("canary")),
                    Attribute(SemanticAttributes.resendCount, .int(1)),
                ]),
            ]),
            SpanFixtures.batch(service: "bff", spans: [
                server(4, route: "/aggregate", headers: ["service-router-svca-demo": "svca-pr1.demo"]),
                client(4, index: 1, attributes: [Attribute(KeiroAttributes.routingDecision, .string("header"))]),
            ]),
            SpanFixtures.batch(service: "gateway", spans: [
                server(5, route: "/search", status: 504, extra: [Attribute(KeiroAttributes.responseFlags, .string("UT"))]),
                client(5, index: 1, attributes: [Attribute(KeiroAttributes.timeout, .string("per_try"))]),
            ]),
            SpanFixtures.batch(service: "gateway", spans: [server(6, route: "/search/deep")]),
            SpanFixtures.batch(service: "backend-api", spans: [client(6, index: 2, attributes: [], durationNanos: 90_000_000)]),
        ]
        for batch in batches { _ = try await store.write(batch) }
    }

    private static let cases: [(String, TraceQuery, [UInt64])] = [
        ("everything, newest first", TraceQuery(), [6, 5, 4, 3, 2, 1, 0]),
        ("limit", TraceQuery(limit: 2), [6, 5]),
        ("oldest first", TraceQuery(limit: 3, order: .oldest), [0, 1, 2]),
        ("longest first", TraceQuery(limit: 2, order: .longest), [6, 5]),
        ("shortest first", TraceQuery(limit: 2, order: .shortest), [0, 1]),
        ("service", TraceQuery(service: "gateway"), [6, 5, 2, 1, 0]),
        ("service of a later batch", TraceQuery(service: "backend-api"), [6]),
        ("operation", TraceQuery(operation: "GET /reviews"), [3]),
        ("route", TraceQuery(route: "/search"), [5, 1, 0]),
        ("path prefix", TraceQuery(pathPrefix: "/search"), [6, 5, 1, 0]),
        ("path prefix, deeper", TraceQuery(pathPrefix: "/search/deep"), [6]),
        ("header", TraceQuery(headers: ["feature": "v1"]), [1]),
        ("routing header", TraceQuery(headers: ["service-router-svca-demo": "svca-pr1.demo"]), [4]),
        ("header that matches nothing", TraceQuery(headers: ["feature": "v9"]), []),
        ("header never indexed", TraceQuery(headers: ["x-unknown": "1"]), []),
        ("status", TraceQuery(statusCode: 503), [2]),
        ("errors", TraceQuery(errorsOnly: true), [5, 2]),
        ("trace duration at least", TraceQuery(minDuration: 50_000_000), [6, 5, 4]),
        ("trace duration at most", TraceQuery(maxDuration: 20_000_000), [1, 0]),
        ("duration range with a term", TraceQuery(route: "/search", minDuration: 15_000_000, maxDuration: 60_000_000), [5, 1]),
        ("span duration", TraceQuery(minSpanDuration: 80_000_000), [6]),
        ("span duration of a service", TraceQuery(service: "gateway", minSpanDuration: 80_000_000), []),
        ("flag retried", TraceQuery(flags: ["retried"]), [3]),
        ("flag canary", TraceQuery(flags: ["canary"]), [3]),
        ("flag header-route", TraceQuery(flags: ["header-route"]), [4]),
        ("flag timeout (alias)", TraceQuery(flags: ["timeout"]), [5]),
        ("flag per-try-timeout", TraceQuery(flags: ["per-try-timeout"]), [5]),
        ("flag overall-timeout", TraceQuery(flags: ["overall-timeout"]), [5]),
        ("flags combined", TraceQuery(flags: ["retried", "canary"]), [3]),
        ("flag and route", TraceQuery(route: "/items", flags: ["timeout"]), []),
        ("time range", TraceQuery(startAfter: start(2), startBefore: start(5)), [4, 3, 2]),
        ("time range with a term", TraceQuery(service: "gateway", startAfter: start(1), startBefore: start(6)), [5, 2, 1]),
    ]

    @Test(arguments: [2, 32_768])
    func everyFilter(segmentSpans: Int) async throws {
        try await withTemporaryStore(configuration: { $0.segmentSpans = segmentSpans }) { store throws in
            try await Self.populate(store)
            for (name, query, expected) in Self.cases {
                let found = try await store.findTraces(query).map(\.traceID)
                #expect(found == expected.map(SpanFixtures.traceID), "\(name)")
            }
        }
    }

    @Test func summariesCarryTheRecordedFlags() async throws {
        try await withTemporaryStore { store throws in
            try await Self.populate(store)
            let retried = try #require(try await store.traceSummary(SpanFixtures.traceID(3)))
            #expect(retried.flags == [.retried, .canary])
            let timedOut = try #require(try await store.traceSummary(SpanFixtures.traceID(5)))
            #expect(timedOut.flags == [.perTryTimeout, .overallTimeout, .error])
            #expect(try await store.traceSummary(SpanFixtures.traceID(0))?.flags == [])
        }
    }
}

/// The textual parameters the CLI and the HTTP API share.
@Suite struct TraceQueryParameterTests {
    @Test func everyParameterParses() throws {
        let now: UInt64 = 10_000_000_000_000
        let query = try TraceQuery(
            parameters: [
                ("service", "gateway"), ("operation", "GET /search"), ("route", "/search"), ("path-prefix", "/search/"),
                ("header", "feature=v1"), ("header", "Service-Router-Svca-Demo: svca-pr1.demo"), ("status", "503"),
                ("errors", "true"), ("min-duration", "250ms"), ("max-duration", "1.5s"), ("min-span-duration", "100us"),
                ("flag", "retried"), ("flag", "Timeout"), ("since", "1h"), ("end", "2026-11-24T12:00:00Z"), ("limit", "50"),
                ("order", "longest"),
            ], now: now)
        #expect(
            query
                == TraceQuery(
                    service: "gateway", operation: "GET /search", route: "/search", pathPrefix: "/search/",
                    headers: ["feature": "v1", "service-router-svca-demo": "svca-pr1.demo"], statusCode: 503, errorsOnly: true,
                    minDuration: 250_000_000, maxDuration: 1_500_000_000, minSpanDuration: 100_000, flags: ["retried", "timeout"],
                    startAfter: now - 3_600_000_000_000, startBefore: 1_795_521_600_000_000_000, limit: 50, order: .longest))
        #expect(try TraceQuery(parameters: [("start", "1795521600000000000")], now: now).startAfter == 1_795_521_600_000_000_000)
    }

    @Test(arguments: [
        ("header", "feature"), ("status", "abc"), ("status", "700"), ("errors", "maybe"), ("min-duration", "5 parsecs"),
        ("flag", "slow"), ("since", "yesterday"), ("start", "24/11/2026"), ("limit", "0"), ("limit", "100001"),
        ("order", "random"), ("colour", "blue"),
    ])
    func badParameterIsRefusedByName(name: String, value: String) {
        #expect(throws: TraceQueryError.self) { try TraceQuery(parameters: [(name, value)], now: 0) }
        do {
            _ = try TraceQuery(parameters: [(name, value)], now: 0)
        } catch {
            #expect(error.parameter == name)
            #expect(!error.reason.isEmpty)
        }
    }

    @Test(arguments: ["absorbed-error", "incomplete", "clock-skew", "inferred"])
    func flagsThatNeedTheWholeTreeAreRefusedWithTheReason(flag: String) {
        do {
            _ = try TraceQuery(parameters: [("flag", flag)], now: 0)
            Issue.record("'\(flag)' was accepted")
        } catch {
            #expect(error.parameter == "flag")
            #expect(error.reason.contains("not recorded at ingest"))
        }
    }

    @Test func minAboveMaxIsRefused() {
        #expect(throws: TraceQueryError(parameter: "min-duration", reason: "is greater than max-duration")) {
            try TraceQuery(parameters: [("min-duration", "2s"), ("max-duration", "1s")], now: 0)
        }
    }
}
