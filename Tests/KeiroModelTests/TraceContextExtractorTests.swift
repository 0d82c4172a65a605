import KeiroModel
import Testing

@Suite struct TraceContextExtractorTests {
    static let traceparent: (name: String, value: String) = ("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
    static let b3Single: (name: String, value: String) = ("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90")
    static let b3Multi: [(name: String, value: String)] = [
        ("X-B3-TraceId", "463ac35c9f6413ad"), ("X-B3-SpanId", "a2fb4a1d1a96d312"), ("X-B3-Sampled", "1"),
    ]
    static let xray: (name: String, value: String) = ("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
    static let newParent = SpanID(0x1111_2222_3333_4444)

    @Test(arguments: [
        // (header sets present, expected format, expected trace id)
        (["w3c", "b3single", "b3multi", "xray"], TraceContext.Format.w3c, "4bf92f3577b34da6a3ce929d0e0e4736"),
        (["b3single", "b3multi", "xray"], .b3Single, "80f198ee56343ba864fe8b2a57d3eff7"),
        (["b3multi", "xray"], .b3Multi, "0000000000000000463ac35c9f6413ad"),
        (["xray"], .xray, "5759e988bd862e3fe1be46a994272793"),
        (["badw3c", "b3multi"], .b3Multi, "0000000000000000463ac35c9f6413ad"),
        (["badb3single", "b3multi"], .b3Multi, "0000000000000000463ac35c9f6413ad"),
        (["badw3c", "badb3single", "xray"], .xray, "5759e988bd862e3fe1be46a994272793"),
    ] as [([String], TraceContext.Format, String)])
    func followsThePrecedenceOrder(present: [String], format: TraceContext.Format, traceID: String) throws {
        var headers: [(name: String, value: String)] = []
        for name in present {
            switch name {
            case "w3c": headers.append(Self.traceparent)
            case "badw3c": headers.append(("traceparent", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
            case "b3single": headers.append(Self.b3Single)
            case "badb3single": headers.append(("b3", "not-a-b3-header"))
            case "b3multi": headers += Self.b3Multi
            default: headers.append(Self.xray)
            }
        }
        // Order of the headers in the request must not matter.
        for ordering in [headers, Array(headers.reversed())] {
            let context = try #require(TraceContextExtractor.extract(from: ordering))
            #expect(context.format == format)
            #expect(context.traceID.hexString == traceID)
        }
    }

    @Test func readsW3CWithTraceState() throws {
        let headers: [(name: String, value: String)] = [
            ("TraceParent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            ("tracestate", "rojo=00f067aa0ba902b7"),
            ("TRACESTATE", "congo=t61rcWkgMzE"),
        ]
        let context = try #require(TraceContextExtractor.extract(from: headers))
        #expect(context.parentSpanID == SpanID(0x00f0_67aa_0ba9_02b7))
        #expect(context.sampled == true)
        #expect(context.traceFlags == 0x01)
        #expect(context.traceState == "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")
        #expect(context.amazonTraceID == nil)
    }

    @Test func dropsAMalformedTraceStateButKeepsTheTrace() throws {
        let context = try #require(TraceContextExtractor.extract(from: [Self.traceparent, ("tracestate", "Bad Key=1")]))
        #expect(context.traceState == nil)
    }

    @Test func ignoresSeveralTraceparentHeaders() {
        let second = ("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        #expect(TraceContextExtractor.extract(from: [Self.traceparent, second]) == nil)
    }

    @Test func ignoresTraceStateWithoutTraceparent() throws {
        let context = try #require(TraceContextExtractor.extract(from: [Self.b3Single, ("tracestate", "rojo=1")]))
        #expect(context.traceState == nil)
    }

    @Test func readsXRay() throws {
        let context = try #require(TraceContextExtractor.extract(from: [Self.xray]))
        #expect(context.format == .xray)
        #expect(context.traceID == TraceID(hex: "5759e988bd862e3fe1be46a994272793"))
        #expect(context.parentSpanID == SpanID(0x5399_5c3f_42cd_8ad8))
        #expect(context.sampled == true)
        #expect(context.amazonTraceID?.headerValue == Self.xray.value)
    }

    @Test func anALBHeaderWithoutParentOrSamplingDefers() throws {
        let context = try #require(TraceContextExtractor.extract(from: [("x-amzn-trace-id", "Root=1-5759e988-bd862e3fe1be46a994272793")]))
        #expect(context.parentSpanID == nil)
        #expect(context.sampled == nil)
        #expect(!context.isSampled)
    }

    @Test func startsANewTraceWithoutValidHeaders() {
        #expect(TraceContextExtractor.extract(from: []) == nil)
        #expect(TraceContextExtractor.extract(from: [("traceparent", "00-00000000000000000000000000000000-00f067aa0ba902b7-01")]) == nil)
        #expect(TraceContextExtractor.extract(from: [("x-amzn-trace-id", "Self=1-5759e988-bd862e3fe1be46a994272793")]) == nil)
        #expect(TraceContextExtractor.extract(from: [("b3", "0")]) == nil)
    }

    @Test func reportsABareSamplingDecision() {
        #expect(TraceContextExtractor.samplingOnlyDecision(from: [("b3", "0")]) == .deny)
        #expect(TraceContextExtractor.samplingOnlyDecision(from: [("X-B3-Sampled", "0")]) == .deny)
        #expect(TraceContextExtractor.samplingOnlyDecision(from: [("x-b3-flags", "1")]) == .debug)
        // The single header wins over the multiple ones, also for a bare decision.
        #expect(TraceContextExtractor.samplingOnlyDecision(from: [("b3", "1"), ("x-b3-sampled", "0")]) == .accept)
        #expect(TraceContextExtractor.extract(from: [("b3", "0")] + Self.b3Multi) == nil)
        #expect(TraceContextExtractor.samplingOnlyDecision(from: [Self.traceparent]) == nil)
    }

    // MARK: Injection

    @Test func injectsTraceparentAndTraceStateForW3CCallers() throws {
        let context = try #require(TraceContextExtractor.extract(from: [Self.traceparent, ("tracestate", "rojo=00f067aa0ba902b7")]))
        let headers = TraceContextExtractor.injectionHeaders(for: context, newParent: Self.newParent)
        #expect(headers.map(\.name) == ["traceparent", "tracestate"])
        #expect(headers.map(\.value) == ["00-4bf92f3577b34da6a3ce929d0e0e4736-1111222233334444-01", "rojo=00f067aa0ba902b7"])
    }

    @Test func injectsB3SingleForB3SingleCallers() throws {
        let context = try #require(TraceContextExtractor.extract(from: [Self.b3Single]))
        let headers = TraceContextExtractor.injectionHeaders(for: context, newParent: Self.newParent, newParentsParent: SpanID(0xaaaa_bbbb_cccc_dddd))
        #expect(headers.map(\.name) == ["traceparent", "b3"])
        #expect(headers.map(\.value) == [
            "00-80f198ee56343ba864fe8b2a57d3eff7-1111222233334444-01",
            "80f198ee56343ba864fe8b2a57d3eff7-1111222233334444-1-aaaabbbbccccdddd",
        ])
    }

    @Test func injectsB3MultiForB3MultiCallersKeepingSixtyFourBitIds() throws {
        let context = try #require(TraceContextExtractor.extract(from: Self.b3Multi))
        let headers = TraceContextExtractor.injectionHeaders(for: context, newParent: Self.newParent)
        #expect(headers.map(\.name) == ["traceparent", "x-b3-traceid", "x-b3-spanid", "x-b3-sampled"])
        #expect(headers.map(\.value) == [
            "00-0000000000000000463ac35c9f6413ad-1111222233334444-01", "463ac35c9f6413ad", "1111222233334444", "1",
        ])
    }

    @Test func debugIsForwardedAsSampled() throws {
        let context = try #require(TraceContextExtractor.extract(from: [("b3", "463ac35c9f6413ad-a2fb4a1d1a96d312-d")]))
        let headers = TraceContextExtractor.injectionHeaders(for: context, newParent: Self.newParent)
        #expect(headers.map(\.value) == ["00-0000000000000000463ac35c9f6413ad-1111222233334444-01", "463ac35c9f6413ad-1111222233334444-d"])
    }

    @Test func deferredB3IsForwardedDeferred() throws {
        let context = try #require(TraceContextExtractor.extract(from: [("b3", "463ac35c9f6413ad-a2fb4a1d1a96d312")]))
        let headers = TraceContextExtractor.injectionHeaders(for: context, newParent: Self.newParent)
        #expect(headers.map(\.value) == ["00-0000000000000000463ac35c9f6413ad-1111222233334444-00", "463ac35c9f6413ad-1111222233334444"])
    }

    @Test func injectsXRayWithParentUpdated() throws {
        let context = try #require(TraceContextExtractor.extract(from: [("x-amzn-trace-id", Self.xray.value + ";Lineage=a87bd80c:1")]))
        let headers = TraceContextExtractor.injectionHeaders(for: context, newParent: Self.newParent)
        #expect(headers.map(\.name) == ["traceparent", "x-amzn-trace-id"])
        #expect(headers.map(\.value) == [
            "00-5759e988bd862e3fe1be46a994272793-1111222233334444-01",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=1111222233334444;Sampled=1;Lineage=a87bd80c:1",
        ])
    }

    @Test func xRayFromAnALBGetsAParentAfterRoot() throws {
        let context = try #require(TraceContextExtractor.extract(from: [("x-amzn-trace-id", "Self=1-67891234-12456789abcdef0123456789;Root=1-5759e988-bd862e3fe1be46a994272793")]))
        let headers = TraceContextExtractor.injectionHeaders(for: context, newParent: Self.newParent)
        #expect(headers.last?.value == "Self=1-67891234-12456789abcdef0123456789;Root=1-5759e988-bd862e3fe1be46a994272793;Parent=1111222233334444")
        #expect(headers.first?.value == "00-5759e988bd862e3fe1be46a994272793-1111222233334444-00")
    }

    @Test func anUnrelatedXRayHeaderIsForwardedUnchanged() throws {
        let context = try #require(TraceContextExtractor.extract(from: [Self.traceparent, Self.xray]))
        #expect(context.format == .w3c)
        let headers = TraceContextExtractor.injectionHeaders(for: context, newParent: Self.newParent)
        #expect(headers.map(\.name) == ["traceparent", "x-amzn-trace-id"])
        #expect(headers.last?.value == Self.xray.value)
    }

    @Test func everyInjectedHeaderIsAPropagationHeader() throws {
        let context = try #require(TraceContextExtractor.extract(from: Self.b3Multi + [Self.xray, ("x-b3-parentspanid", "05e3ac9a4f6e3b90")]))
        let headers = TraceContextExtractor.injectionHeaders(for: context, newParent: Self.newParent, newParentsParent: SpanID(7))
        for header in headers {
            #expect(TraceContextExtractor.propagationHeaderNames.contains(header.name))
        }
    }

    @Test func injectedHeadersExtractBackToTheSameTrace() throws {
        for incoming in [[Self.traceparent], [Self.b3Single], Self.b3Multi, [Self.xray]] {
            let context = try #require(TraceContextExtractor.extract(from: incoming))
            let forwarded = TraceContextExtractor.injectionHeaders(for: context, newParent: Self.newParent)
            let next = try #require(TraceContextExtractor.extract(from: forwarded))
            #expect(next.traceID == context.traceID)
            #expect(next.parentSpanID == Self.newParent)
            #expect(next.isSampled == context.isSampled)
        }
    }
}
