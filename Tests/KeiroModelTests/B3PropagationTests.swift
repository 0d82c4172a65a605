import KeiroModel
import Testing

@Suite struct B3PropagationTests {
    static let trace128 = TraceID(high: 0x80f1_98ee_5634_3ba8, low: 0x64fe_8b2a_57d3_eff7)
    static let trace64 = TraceID(high: 0, low: 0x463a_c35c_9f64_13ad)
    static let span = SpanID(0xe457_b5a2_e4d8_6bd1)
    static let parent = SpanID(0x05e3_ac9a_4f6e_3b90)

    // MARK: Single header

    @Test func parsesTheFullSingleHeader() throws {
        let decoded = B3Propagation.parseSingle("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90")
        guard case .context(let context)? = decoded else { Issue.record("not a context: \(String(describing: decoded))"); return }
        #expect(context.traceID == Self.trace128)
        #expect(context.parentSpanID == Self.span)
        #expect(context.callerParentSpanID == Self.parent)
        #expect(context.sampled == true)
        #expect(!context.debug)
        #expect(context.traceFlags == 0x01)
        #expect(context.format == .b3Single)
    }

    @Test(arguments: [
        ("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1", nil as Bool?, false),
        ("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-0", false, false),
        ("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1", true, false),
        ("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-d", true, true),
        ("463ac35c9f6413ad-e457b5a2e4d86bd1-d-05e3ac9a4f6e3b90", true, true),
    ])
    func readsTheSamplingState(header: String, sampled: Bool?, debug: Bool) throws {
        guard case .context(let context)? = B3Propagation.parseSingle(header) else { Issue.record("rejected \(header)"); return }
        #expect(context.sampled == sampled)
        #expect(context.debug == debug)
        #expect(context.isSampled == (sampled == true))
    }

    @Test func sixtyFourBitTraceIDsHaveAZeroHighHalf() throws {
        guard case .context(let context)? = B3Propagation.parseSingle("463ac35c9f6413ad-e457b5a2e4d86bd1-1") else { Issue.record("rejected"); return }
        #expect(context.traceID == Self.trace64)
        #expect(context.traceID.high == 0)
    }

    @Test(arguments: ["0", "1", "d"])
    func readsASamplingDecisionAlone(header: String) {
        let expected: B3Propagation.SamplingState = switch header {
        case "0": .deny
        case "1": .accept
        default: .debug
        }
        #expect(B3Propagation.parseSingle(header) == .samplingOnly(expected))
        #expect(B3Propagation.singleHeaderValue(sampling: expected) == header)
    }

    @Test(arguments: [
        "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1",
        "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-0",
        "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90",
        "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-d-05e3ac9a4f6e3b90",
        "463ac35c9f6413ad-e457b5a2e4d86bd1-1",
        "463ac35c9f6413ad-e457b5a2e4d86bd1-d-05e3ac9a4f6e3b90",
    ])
    func singleHeadersRoundTrip(header: String) throws {
        guard case .context(let context)? = B3Propagation.parseSingle(header) else { Issue.record("rejected \(header)"); return }
        #expect(B3Propagation.singleHeaderValue(for: context) == header)
    }

    @Test(arguments: [
        "",
        "x",
        "2",
        "80f198ee56343ba864fe8b2a57d3eff7",
        "80f198ee56343ba864fe8b2a57d3eff7-",
        "80f198ee56343ba864fe8b2a57d3ef-e457b5a2e4d86bd1",
        "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86b",
        "00000000000000000000000000000000-e457b5a2e4d86bd1-1",
        "80f198ee56343ba864fe8b2a57d3eff7-0000000000000000-1",
        "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-2",
        "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-true",
        "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b9",
        "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90-x",
        "80f198ee56343ba864fe8b2a57d3eff7-zz57b5a2e4d86bd1-1",
    ])
    func rejectsMalformedSingleHeaders(header: String) {
        #expect(B3Propagation.parseSingle(header) == nil)
    }

    @Test func singleHeaderNeedsASamplingStateToCarryAParent() {
        #expect(B3Propagation.singleHeaderValue(traceID: Self.trace64, spanID: Self.span, sampling: nil, parentSpanID: Self.parent)
            == "463ac35c9f6413ad-e457b5a2e4d86bd1")
        #expect(B3Propagation.singleHeaderValue(traceID: Self.trace64, spanID: Self.span, sampling: .deny, parentSpanID: Self.parent)
            == "463ac35c9f6413ad-e457b5a2e4d86bd1-0-05e3ac9a4f6e3b90")
    }

    // MARK: Multiple headers

    @Test(arguments: [
        // (traceid, spanid, parent, sampled, flags) -> sampled, debug
        (["80f198ee56343ba864fe8b2a57d3eff7", "e457b5a2e4d86bd1", "05e3ac9a4f6e3b90", "1", nil], true as Bool?, false),
        (["80f198ee56343ba864fe8b2a57d3eff7", "e457b5a2e4d86bd1", nil, "0", nil], false, false),
        (["80f198ee56343ba864fe8b2a57d3eff7", "e457b5a2e4d86bd1", nil, "true", nil], true, false),
        (["80f198ee56343ba864fe8b2a57d3eff7", "e457b5a2e4d86bd1", nil, "false", nil], false, false),
        (["80f198ee56343ba864fe8b2a57d3eff7", "e457b5a2e4d86bd1", nil, nil, nil], nil, false),
        (["80f198ee56343ba864fe8b2a57d3eff7", "e457b5a2e4d86bd1", nil, nil, "1"], true, true),
        (["463ac35c9f6413ad", "e457b5a2e4d86bd1", nil, "0", "1"], true, true),
    ] as [([String?], Bool?, Bool)])
    func readsMultipleHeaders(values: [String?], sampled: Bool?, debug: Bool) throws {
        let decoded = B3Propagation.parseMulti(traceID: values[0], spanID: values[1], parentSpanID: values[2], sampled: values[3], flags: values[4])
        guard case .context(let context)? = decoded else { Issue.record("rejected \(values)"); return }
        #expect(context.traceID == TraceID(hex: values[0]!))
        #expect(context.parentSpanID == Self.span)
        #expect(context.callerParentSpanID == values[2].flatMap { SpanID(hex: $0) })
        #expect(context.sampled == sampled)
        #expect(context.debug == debug)
        #expect(context.format == .b3Multi)
    }

    @Test func multiHeadersWithoutIdsCarryOnlyASamplingDecision() {
        #expect(B3Propagation.parseMulti(traceID: nil, spanID: nil, sampled: "0") == .samplingOnly(.deny))
        #expect(B3Propagation.parseMulti(traceID: nil, spanID: nil, flags: "1") == .samplingOnly(.debug))
        #expect(B3Propagation.parseMulti(traceID: nil, spanID: nil) == nil)
    }

    @Test(arguments: [
        ["80f198ee56343ba864fe8b2a57d3eff7", nil, nil],
        [nil, "e457b5a2e4d86bd1", nil],
        ["80f198ee56343ba864fe8b2a57d3e", "e457b5a2e4d86bd1", nil],
        ["0000000000000000", "e457b5a2e4d86bd1", nil],
        ["80f198ee56343ba864fe8b2a57d3eff7", "0000000000000000", nil],
        ["80f198ee56343ba864fe8b2a57d3eff7", "e457b5a2e4d86bd1", "nothex0000000000"],
    ] as [[String?]])
    func rejectsMalformedMultipleHeaders(values: [String?]) {
        #expect(B3Propagation.parseMulti(traceID: values[0], spanID: values[1], parentSpanID: values[2], sampled: "1") == nil)
    }

    @Test func multipleHeadersRoundTrip() throws {
        let tables: [[(name: String, value: String)]] = [
            [("x-b3-traceid", "80f198ee56343ba864fe8b2a57d3eff7"), ("x-b3-spanid", "e457b5a2e4d86bd1"), ("x-b3-parentspanid", "05e3ac9a4f6e3b90"), ("x-b3-sampled", "1")],
            [("x-b3-traceid", "463ac35c9f6413ad"), ("x-b3-spanid", "e457b5a2e4d86bd1"), ("x-b3-sampled", "0")],
            [("x-b3-traceid", "463ac35c9f6413ad"), ("x-b3-spanid", "e457b5a2e4d86bd1"), ("x-b3-flags", "1")],
            [("x-b3-traceid", "463ac35c9f6413ad"), ("x-b3-spanid", "e457b5a2e4d86bd1")],
        ]
        for headers in tables {
            func value(_ name: String) -> String? { headers.first { $0.name == name }?.value }
            let decoded = B3Propagation.parseMulti(
                traceID: value("x-b3-traceid"), spanID: value("x-b3-spanid"), parentSpanID: value("x-b3-parentspanid"),
                sampled: value("x-b3-sampled"), flags: value("x-b3-flags"))
            guard case .context(let context)? = decoded else { Issue.record("rejected \(headers)"); continue }
            let formatted = B3Propagation.multiHeaders(for: context)
            #expect(formatted.map(\.name) == headers.map(\.name))
            #expect(formatted.map(\.value) == headers.map(\.value))
        }
    }

    @Test func uppercaseHexIsAcceptedAndWrittenInLowercase() throws {
        guard case .context(let context)? = B3Propagation.parseSingle("463AC35C9F6413AD-E457B5A2E4D86BD1-1") else { Issue.record("rejected"); return }
        #expect(B3Propagation.singleHeaderValue(for: context) == "463ac35c9f6413ad-e457b5a2e4d86bd1-1")
    }
}
