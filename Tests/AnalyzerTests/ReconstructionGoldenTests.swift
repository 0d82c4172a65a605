import Analyzer
import KeiroModel
import Testing

/// Trees rebuilt from hand-built spans: clock skew, Envoy shared ids, the ALB root, B3 ids.
@Suite struct ReconstructionGoldenTests {
    /// search-api's host runs 2 s ahead, bff's 2 s behind; db's clock is right.
    static let skewed = [
        golden(1, nil, "gateway", "GET /search", .server, 10_000, 10_400, host: "host-a"),
        golden(2, 1, "gateway", "GET", .client, 10_010, 10_110, host: "host-a"),
        golden(3, 2, "search-api", "GET /search", .server, 12_020, 12_100, host: "host-b"),
        golden(4, 3, "search-api", "SELECT", .client, 12_030, 12_040, host: "host-b"),
        golden(5, 4, "db", "SELECT", .server, 10_031, 10_039, host: "host-c"),
        golden(6, 1, "gateway", "GET", .client, 10_200, 10_300, host: "host-a"),
        golden(7, 6, "bff", "GET /aggregate", .server, 8_210, 8_290, host: "host-d"),
    ]

    @Test func clockSkewOfPlusAndMinusTwoSecondsIsCorrected() {
        let tree = TraceTree(Self.skewed)
        #expect(tree.outline == [
            "gateway: GET /search 10000-10400",
            "  gateway: GET 10010-10110",
            "    search-api: GET /search 10020-10100",
            "      search-api: SELECT 10030-10040",
            "        db: SELECT 10031-10039",
            "  gateway: GET 10200-10300",
            "    bff: GET /aggregate 10210-10290",
        ])
        #expect(tree.nodes[tree.index(of: 3)].clockSkewShiftNanos == -2_000 * Int64(ms))
        #expect(tree.nodes[tree.index(of: 7)].clockSkewShiftNanos == 2_000 * Int64(ms))
        let report = tree.flagReport()
        #expect(report.flags == .clockSkew)
        #expect(report.findings.map(\.description) == [
            "[clock-skew] search-api GET /search: This span's timestamps were adjusted by -2s",
            "[clock-skew] search-api SELECT: This span's timestamps were adjusted by -2s",
            "[clock-skew] bff GET /aggregate: This span's timestamps were adjusted by 2s",
        ])
        let waterfall = Waterfall.render(tree).split(separator: "\n").map(String.init)
        #expect(waterfall[1] == "  warning: search-api span \(SpanID(3)): This span's timestamps were adjusted by -2s")
    }

    @Test func skewBeyondTheMaximumIsLeftWithJaegersWarning() {
        let tree = TraceTree(Self.skewed, options: TreeOptions(maxClockSkewAdjustment: .seconds(1)))
        #expect(tree.outline[2] == "    search-api: GET /search 12020-12100")
        let warnings = Dictionary(uniqueKeysWithValues: tree.nodes.filter { !$0.warnings.isEmpty }.map { ($0.span.spanID.value, $0.warnings) })
        #expect(warnings == [
            3: ["max clock skew adjustment delta of 1s exceeded; not applying calculated delta of -2s"],
            // search-api's SELECT, same host: the refused shift is carried down, as in Jaeger.
            4: ["max clock skew adjustment delta of 1s exceeded; not applying calculated delta of -2s"],
            // db is compared with the SELECT that did not move.
            5: ["max clock skew adjustment delta of 1s exceeded; not applying calculated delta of 2s"],
            7: ["max clock skew adjustment delta of 1s exceeded; not applying calculated delta of 2s"],
        ])
        let disabled = TraceTree(Self.skewed, options: TreeOptions(maxClockSkewAdjustment: .zero))
        #expect(disabled.nodes[disabled.index(of: 7)].warnings == ["clock skew adjustment disabled; not applying calculated delta of 2s"])
    }

    /// Envoy shares span id 7 between bff's sidecar (client) and search-api's (server), whose
    /// pod clock is 2 s ahead: the server half moves into the client half, and search-api
    /// (same pod) moves with it.
    @Test func envoySharedSpansStayTwoNodesAndAreSkewAdjusted() {
        let tree = TraceTree([
            golden(1, nil, "bff", "GET /aggregate", .server, 0, 100),
            golden(7, 1, "bff-sidecar", "egress search", .client, 10, 90),
            golden(7, 1, "search-api-sidecar", "ingress search", .server, 2_012, 2_088, host: "search-pod"),
            golden(8, 7, "search-api", "GET /search", .server, 2_020, 2_080, host: "search-pod"),
        ])
        #expect(tree.outline == [
            "bff: GET /aggregate 0-100",
            "  bff-sidecar: egress search 10-90",
            "    search-api-sidecar: ingress search 12-88",
            "      search-api: GET /search 20-80",
        ])
        #expect(tree.hopChain(to: tree.index(of: 8)).map(\.description) == ["bff", "bff-sidecar", "search-api-sidecar", "search-api"])
        #expect(tree.hopChain(to: tree.index(of: 8)).map(\.role) == [.service, .sidecar, .sidecar, .service])
    }

    static let albResource = Resource(attributes: [
        Attribute(SemanticAttributes.serviceName, .string("app/keiro-lb/50dc6c495c0c9188")), Attribute("cloud.platform", .string("aws_elb")),
    ])

    static func albSpan(parent: UInt64? = nil) -> AnalyzedSpan {
        AnalyzedSpan(
            span: Span(
                traceID: trace, spanID: SpanID(0xA1B), parentSpanID: parent.map(SpanID.init), name: "GET", kind: .server,
                startTimeUnixNano: 0, endTimeUnixNano: 121 * ms,
                attributes: [Attribute("aws.elb.trace_id", .string("Root=1-00000001-000000000000000000000002"))]),
            service: "app/keiro-lb/50dc6c495c0c9188", resource: albResource)
    }

    /// The gateway's host clock is ~1.5 s ahead of AWS's; search-api's too.
    @Test func albLogSpanBecomesTheRootAboveTheGateway() {
        let tree = TraceTree([
            golden(2, nil, "gateway", "GET /search", .server, 1_505, 1_610),
            golden(3, 2, "gateway", "GET", .client, 1_506, 1_600),
            golden(4, 3, "search-api", "GET /search", .server, 1_507, 1_599),
            Self.albSpan(),
        ])
        #expect(tree.roots.count == 1)
        #expect(tree.outline == [
            "app/keiro-lb/50dc6c495c0c9188: GET 0-121",
            "  gateway: GET /search 8-113",
            "    gateway: GET 9-103",
            "      search-api: GET /search 10-102",
        ])
        #expect(tree.warnings == ["gateway span \(SpanID(2)) placed under the ALB access-log span \(SpanID(0xA1B)) (the ALB forwarded the request)"])
        #expect(tree.nodes[tree.index(of: 2)].warnings == ["This span's timestamps were adjusted by -1.497s"])
        #expect(tree.hopChain(to: tree.index(of: 4)).map(\.description) == [
            "app/keiro-lb/50dc6c495c0c9188 (load-balancer)", "gateway", "search-api",
        ])
    }

    /// The client sent `X-Amzn-Trace-Id: …;Parent=99`: the ALB and the gateway both name
    /// span 99 (not stored) as parent.
    @Test func albLogSpanWithACallerParentGoesBetweenTheCallerAndTheGateway() {
        let tree = TraceTree([golden(2, 0x99, "gateway", "GET /search", .server, 5, 110), Self.albSpan(parent: 0x99)])
        #expect(tree.outline == [
            "?: missing parent \(SpanID(0x99)) 0-0",
            "  app/keiro-lb/50dc6c495c0c9188: GET 0-121",
            "    gateway: GET /search 5-110",
        ])
    }

    static let t128 = TraceID(high: 0xAAAA, low: 0x1234)
    static let t64 = TraceID(high: 0, low: 0x1234)
    static let tOther = TraceID(high: 0xBBBB, low: 0x1234)
    /// What a store returns for the low 64 bits 0x1234: the gateway's 128-bit trace, the
    /// Envoy sidecar's 64-bit continuation of it, and an unrelated 128-bit trace whose
    /// span happens to name the gateway's span id as parent.
    static let lowBitsMatches = [
        golden(1, nil, "gateway", "GET /search", .server, 0, 100, trace: t128),
        golden(2, 1, "gateway", "GET", .client, 5, 95, trace: t128),
        golden(3, 2, "search-api-envoy", "ingress", .server, 6, 94, trace: t64),
        golden(4, 3, "search-api", "GET /search", .server, 7, 93, trace: t64),
        golden(9, 2, "other", "GET /other", .server, 10, 20, trace: tOther),
    ]

    @Test func b3SixtyFourBitTraceJoinsTheOneTwentyEightBitTraceItContinues() {
        let tree = TraceTree(Self.lowBitsMatches, options: TreeOptions(traceID: Self.t128))
        #expect(tree.traceID == Self.t128)
        #expect(tree.joinedTraceIDs == [Self.t64])
        #expect(tree.outline == [
            "gateway: GET /search 0-100",
            "  gateway: GET 5-95",
            "    search-api-envoy: ingress 6-94",
            "      search-api: GET /search 7-93",
        ])
        #expect(tree.warnings == [
            "joined trace \(Self.t64) (B3 64-bit id): span \(SpanID(3))'s parent \(SpanID(2)) is in the joined trace",
            "trace \(Self.tOther) shares the low 64 bits of \(Self.t128) but no parent link proves it is the same request; not joined",
        ])
        let by64 = TraceTree(Self.lowBitsMatches, options: TreeOptions(traceID: Self.t64))
        #expect(by64.outline == tree.outline)
        #expect(by64.joinedTraceIDs == [Self.t128])
        #expect(by64.warnings.first == "joined trace \(Self.t128) (128-bit id): span \(SpanID(2)) is the parent of a span in the joined trace")
    }

    @Test func sixtyFourBitTraceWithoutALinkIsNotJoined() {
        let spans = [
            golden(1, nil, "gateway", "GET /search", .server, 0, 100, trace: Self.t128),
            golden(3, nil, "search-api-envoy", "ingress", .server, 6, 94, trace: Self.t64),
        ]
        let tree = TraceTree(spans, options: TreeOptions(traceID: Self.t128))
        #expect(tree.outline == ["gateway: GET /search 0-100"])
        #expect(tree.joinedTraceIDs.isEmpty)
    }
}

@Suite struct HopRoleTests {
    @Test func rolesComeFromWordsOfTheServiceNameAndKeiroAttributes() {
        func role(_ service: String, _ attributes: [(String, AttributeValue)] = []) -> Hop.Role {
            let tree = TraceTree([golden(1, nil, service, "GET", .server, 0, 1, attributes)])
            return tree.nodes[0].hop.role
        }
        #expect(role("edge") == .edge)
        #expect(role("knowledge-api") == .service)
        #expect(role("istio-ingressgateway") == .gateway)
        #expect(role("gateway-canary") == .gateway)
        #expect(role("reviews-envoy") == .sidecar)
        #expect(role("istio-proxy") == .sidecar)
        #expect(role("router", [(KeiroAttributes.requestID, .string("r"))]) == .proxy)
        #expect(role("bff") == .service)
    }
}
