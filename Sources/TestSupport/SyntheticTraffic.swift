import KeiroModel

/// Realistic span batches in the shape of Keiro's demo topology (edge → gateway → BFF →
/// backends), for benchmarks: each trace has a server span per hop and a client span per
/// upstream call, with the HTTP attributes, routing attributes and request headers the
/// proxies record. Deterministic for a given seed.
public struct SyntheticTraffic {
    private var random: SplitMix64

    public init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    private static let hops: [(service: String, route: String)] = [
        ("edge", "/search"), ("gateway", "/search"), ("bff", "/aggregate"), ("search-api", "/search"),
        ("reviews", "/reviews"), ("backend-api", "/items"),
    ]

    private mutating func next() -> UInt64 {
        random.next()
    }

    /// `count` spans from one service, as one proxy's exporter would send them: server and
    /// client spans of many different traces that started within the second after `startNanos`.
    public mutating func batch(spans count: Int, startNanos: UInt64) -> SpanBatch {
        let hop = Self.hops[Int(next() % UInt64(Self.hops.count))]
        let resource = Resource(attributes: [
            Attribute("service.name", .string(hop.service)),
            Attribute("service.instance.id", .string("\(hop.service)-7f9c6d-\(next() % 4)")),
            Attribute("host.name", .string("node-\(next() % 3)")),
            Attribute("telemetry.sdk.name", .string("keiro")), Attribute("telemetry.sdk.language", .string("swift")),
        ])
        var spans: [Span] = []
        spans.reserveCapacity(count)
        while spans.count < count {
            let trace = TraceID(high: next(), low: next())
            let parent = SpanID(next() | 1)
            let server = SpanID(next() | 1)
            let start = startNanos + next() % 1_000_000_000
            let duration = 200_000 + next() % 40_000_000
            let status: Int64 = next() % 50 == 0 ? 503 : 200
            spans.append(
                Span(
                    traceID: trace, spanID: server, parentSpanID: parent, name: "GET \(hop.route)", kind: .server,
                    startTimeUnixNano: start, endTimeUnixNano: start + duration,
                    attributes: [
                        Attribute("http.request.method", .string("GET")),
                        Attribute("url.path", .string("\(hop.route)/\(next() % 1000)")),
                        Attribute("url.scheme", .string("http")), Attribute("http.route", .string(hop.route)),
                        Attribute("http.response.status_code", .int(status)),
                        Attribute("client.address", .string("127.0.0.1")),
                        Attribute("user_agent.original", .string("keiro-loadgen/1.0")),
                        Attribute("http.request.header.x-request-id", .array([.string("\(next())")])),
                        Attribute("keiro.route.name", .string(hop.route.dropFirst() + "-route")),
                    ],
                    status: SpanStatus(code: status >= 500 ? .error : .unset), flags: 1))
            guard spans.count < count else { break }
            let attempts = next() % 10 == 0 ? 2 : 1
            for attempt in 0..<attempts where spans.count < count {
                let clientStart = start + 50_000 + UInt64(attempt) * duration / 2
                spans.append(
                    Span(
                        traceID: trace, spanID: SpanID(next() | 1), parentSpanID: server, name: "GET", kind: .client,
                        startTimeUnixNano: clientStart, endTimeUnixNano: clientStart + duration / 3,
                        attributes: [
                            Attribute("http.request.method", .string("GET")),
                            Attribute("server.address", .string("127.0.0.1")), Attribute("server.port", .int(9101)),
                            Attribute("url.full", .string("http://127.0.0.1:9101\(hop.route)")),
                            Attribute("http.response.status_code", .int(attempt == 0 && attempts == 2 ? 503 : 200)),
                            Attribute("http.request.resend_count", .int(Int64(attempt))),
                            Attribute("keiro.destination.subset", .string(next() % 10 == 0 ? "canary" : "primary")),
                        ],
                        flags: 1))
            }
        }
        return SpanBatch([
            ResourceSpans(resource: resource, scopeSpans: [ScopeSpans(scope: InstrumentationScope(name: "keiro.proxy", version: "0.1.0"), spans: spans)])
        ])
    }

    /// A batch size drawn uniformly from `range`.
    public mutating func size(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
}
