@testable import Analyzer
import KeiroModel
import Testing

/// `TraceFlags.recorded(by:)` reads a span in one pass (`RecordedFacts`); the analysis reads
/// the same facts one lookup at a time (`Span+Facts`). Both must agree on any span, including
/// repeated keys (the first one counts), values of the wrong type and the fall-backs
/// between Keiro's and Envoy's spellings.
@Suite struct RecordedFactsTests {
    /// The flags as the analysis's span facts see them: the definition the one-pass reading must match.
    private func flagsFromSpanFacts(_ span: Span) -> TraceFlags {
        var flags: TraceFlags = span.isError && span.parentSpanID == nil ? .error : []
        if (span.resendCount ?? 0) > 0 || span.retryReason != nil || (span.integer(KeiroAttributes.attempts) ?? 0) > 1 {
            flags.insert(.retried)
        }
        if let timeout = span.firedTimeout { flags.insert(timeout) }
        if span.responseFlags.contains("URX") { flags.insert(.retriesExhausted) }
        if span.hasKeiroAttributes, let destination = span.destination, destination.lowercased().contains("canary") {
            flags.insert(.canary)
        }
        if span.routingDecision == "header" { flags.insert(.headerRoute) }
        return flags
    }

    private static let keys = [
        SemanticAttributes.resendCount, KeiroAttributes.retryReason, KeiroAttributes.attempts, KeiroAttributes.timeout,
        KeiroAttributes.responseFlags, "response_flags", KeiroAttributes.responseDetails, "response_code_details",
        KeiroAttributes.destinationHost, KeiroAttributes.destinationSubset, SemanticAttributes.serverAddress,
        SemanticAttributes.serverPort, SemanticAttributes.peerService, SemanticAttributes.urlFull,
        KeiroAttributes.routingDecision, KeiroAttributes.requestID, "http.request.method", "keiro", "response_flag",
        KeiroAttributes.backoffWaitedMs, KeiroAttributes.retriesDisabled, "keiro.",
    ]

    private static let values: [AttributeValue] = [
        .string("UT"), .string("URX,UT"), .string("-"), .string("UF,URX"), .string("UTX"), .string(",UT,"), .string("URX,"),
        .string("UT,-"), .string(""), .string("upstream_per_try_timeout"),
        .string("per_try"), .string("overall"), .string("header"), .string("weight"), .string("reviews-CANARY"),
        .string("v2-Canary"), .string("canar"), .string("stable"), .string("2"), .string("1"), .string("x"),
        .string("http://search-canary.demo:8080/p"), .string("http://search.demo/p"), .string("not a url ://"),
        .int(0), .int(1), .int(3), .bool(true), .double(2), .array([.string("UT"), .string("canary")]),
    ]

    @Test func onePassAgreesWithTheSpanFacts() {
        var random = SplitMix64(seed: 7)
        var flagged = 0
        for index in 0..<5_000 {
            let attributes = (0..<Int.random(in: 0...6, using: &random)).map { _ in
                Attribute(Self.keys.randomElement(using: &random)!, Self.values.randomElement(using: &random)!)
            }
            let span = Span(
                traceID: TraceID(high: 1, low: UInt64(index + 1)), spanID: SpanID(UInt64(index + 1)),
                parentSpanID: Bool.random(using: &random) ? SpanID(9) : nil, name: "GET", kind: .client,
                startTimeUnixNano: 0, endTimeUnixNano: 1, attributes: attributes,
                status: SpanStatus(code: Bool.random(using: &random) ? .error : .unset))
            let expected = flagsFromSpanFacts(span)
            #expect(TraceFlags.recorded(by: span) == expected, "\(attributes)")
            if !expected.subtracting(.error).isEmpty { flagged += 1 }
        }
        // The draw reaches every flag often enough for the comparison to mean something.
        #expect(flagged > 1_000)
    }
}
