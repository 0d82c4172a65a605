import KeiroModel

/// Builders for realistic spans and batches, shared by tests and benchmarks.
public enum SpanFixtures {
    /// A deterministic trace id derived from `seed`.
    public static func traceID(_ seed: UInt64) -> TraceID {
        TraceID(high: 0x4bf9_2f35_77b3_4da6 ^ seed &* 0x9E37_79B9_7F4A_7C15, low: 0xa3ce_929d_0e0e_4736 &+ seed)
    }

    /// A deterministic non-zero span id derived from `seed`.
    public static func spanID(_ seed: UInt64) -> SpanID {
        SpanID((seed &+ 1) &* 0xBF58_476D_1CE4_E5B9 | 1)
    }

    /// A server span carrying the HTTP attributes the collector indexes.
    public static func httpServerSpan(
        trace: TraceID, id: SpanID, parent: SpanID?, start: UInt64, durationNanos: UInt64,
        route: String = "/search", status: Int64 = 200, headers: [String: String] = [:]
    ) -> Span {
        var attributes: [Attribute] = [
            Attribute(SemanticAttributes.httpRequestMethod, .string("GET")),
            Attribute(SemanticAttributes.urlPath, .string(route + "/items")),
            Attribute(SemanticAttributes.httpRoute, .string(route)),
            Attribute(SemanticAttributes.httpResponseStatusCode, .int(status)),
        ]
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            attributes.append(Attribute(SemanticAttributes.requestHeaderPrefix + name, .array([.string(value)])))
        }
        return Span(
            traceID: trace, spanID: id, parentSpanID: parent, name: "GET \(route)", kind: .server,
            startTimeUnixNano: start, endTimeUnixNano: start + durationNanos, attributes: attributes,
            status: SpanStatus(code: status >= 500 ? .error : .unset))
    }

    /// A batch of spans from one service.
    public static func batch(service: String, spans: [Span], scope: String = "keiro-test") -> SpanBatch {
        SpanBatch([
            ResourceSpans(
                resource: Resource(attributes: [Attribute(SemanticAttributes.serviceName, .string(service))]),
                scopeSpans: [ScopeSpans(scope: InstrumentationScope(name: scope, version: "1.0"), spans: spans)])
        ])
    }

    /// One span exercising every field of the model: all attribute types, events, links,
    /// status message, trace state and flags.
    public static func everyField(trace: TraceID, id: SpanID, parent: SpanID?, start: UInt64) -> Span {
        Span(
            traceID: trace, spanID: id, parentSpanID: parent, traceState: "vendor=abc,keiro=1",
            name: "GET /search", kind: .client, startTimeUnixNano: start, endTimeUnixNano: start + 2_500_000,
            attributes: [
                Attribute("s", .string("text ✓")), Attribute("b", .bool(true)), Attribute("i", .int(-42)),
                Attribute("d", .double(3.25)), Attribute("arr", .array([.string("a"), .int(1), .bool(false)])),
                Attribute("map", .map([Attribute("k", .string("v")), Attribute("n", .double(-0.5))])),
                Attribute("raw", .bytes([0, 1, 254, 255])),
                Attribute(SemanticAttributes.resendCount, .int(2)),
            ],
            droppedAttributesCount: 3,
            events: [SpanEvent(timeUnixNano: start + 1_000, name: "retry", attributes: [Attribute("attempt", .int(2))], droppedAttributesCount: 1)],
            droppedEventsCount: 4,
            links: [SpanLink(traceID: traceID(99), spanID: spanID(99), traceState: "x=1", attributes: [Attribute("l", .string("v"))], droppedAttributesCount: 2, flags: 1)],
            droppedLinksCount: 5,
            status: SpanStatus(code: .error, message: "upstream request timeout"), flags: 0x301)
    }
}
