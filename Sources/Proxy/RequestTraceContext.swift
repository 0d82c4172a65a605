import KeiroModel

/// The trace a request belongs to: the caller's — W3C `traceparent`, B3 (single or multi)
/// or `X-Amzn-Trace-Id`, read by KeiroModel's `TraceContextExtractor` in that precedence —
/// or a new W3C one when the caller sent none that is valid (sampled unless a bare B3
/// decision said otherwise).
struct RequestTraceContext: Sendable {
    /// The context as the caller propagated it (or the new one).
    let context: TraceContext

    /// - Parameter addingAmazonTraceID: Behave as an AWS ALB (the edge): a request without
    ///   a valid `X-Amzn-Trace-Id` gets one whose Root is this trace (a new trace id then
    ///   starts with the time in seconds, as an X-Ray Root does); one with a valid Root gets
    ///   `Self=` put in front (`AmazonTraceID.insertSelf`). Either is forwarded with
    ///   `Parent=` each try's CLIENT span.
    init(headers: [(name: String, value: String)], addingAmazonTraceID: Bool = false) {
        if var context = TraceContextExtractor.extract(from: headers) {
            if addingAmazonTraceID {
                if context.amazonTraceID != nil {
                    var random = ProxyRandom()
                    context.amazonTraceID?.insertSelf(now: unixNanosNow() / 1_000_000_000, random: &random)
                } else {
                    context.amazonTraceID = Self.amazonTraceID(for: context)
                }
            }
            self.context = context
        } else {
            // A new trace keeps a caller's bare B3 decision (`b3: 0` stays unsampled downstream).
            let decision = TraceContextExtractor.samplingOnlyDecision(from: headers)
            let sampled = decision != .deny
            if addingAmazonTraceID {
                var random = ProxyRandom()
                let root = AmazonTraceID.newRoot(now: unixNanosNow() / 1_000_000_000, random: &random)
                var context = TraceContext(
                    traceID: AmazonTraceID.traceID(root: root) ?? .random(), parentSpanID: nil, sampled: sampled,
                    debug: decision == .debug, format: .w3c)
                context.amazonTraceID = Self.amazonTraceID(for: context)
                self.context = context
            } else {
                context = TraceContext(traceID: .random(), parentSpanID: nil, sampled: sampled, debug: decision == .debug, format: .w3c)
            }
        }
    }

    /// `Root={this trace};Sampled=0|1`.
    private static func amazonTraceID(for context: TraceContext) -> AmazonTraceID {
        var header = AmazonTraceID(fields: [AmazonTraceID.Field(key: "Root", value: AmazonTraceID.root(for: context.traceID))])
        header.sampled = context.isSampled ? .sampled : .notSampled
        return header
    }

    var traceID: TraceID { context.traceID }
    /// The caller's span (parent of the SERVER span), nil when this proxy starts the trace.
    var parentSpanID: SpanID? { context.parentSpanID }
    /// W3C trace flags recorded on spans (0x01 sampled; B3's deferred decision counts as
    /// sampled: Keiro records every request).
    var flags: UInt8 { context.traceFlags | (context.sampled == false && !context.debug ? 0 : 1) }
    /// `tracestate` as received.
    var traceState: String { context.traceState ?? "" }

    /// The headers that carry the trace to the next hop: `traceparent` (+ `tracestate`)
    /// always, B3 in the caller's style when the caller used B3, `X-Amzn-Trace-Id` when the
    /// caller sent one; `span` (the try's CLIENT span) is the new parent and `serverSpan`
    /// B3's parent of it.
    func propagationHeaders(parent span: SpanID, serverSpan: SpanID) -> [(name: String, value: String)] {
        TraceContextExtractor.injectionHeaders(for: context, newParent: span, newParentsParent: serverSpan)
    }

    /// Header names replaced by `propagationHeaders` in the forwarded request.
    static let propagationHeaderNames = Set(TraceContextExtractor.propagationHeaderNames)
}

extension TraceID {
    /// A random, valid trace id (``ProxyRandom``).
    static func random() -> TraceID {
        var random = ProxyRandom()
        return TraceID(high: random.next(), low: .random(in: 1...UInt64.max, using: &random))
    }
}

extension SpanID {
    /// A random, valid span id (``ProxyRandom``).
    static func random() -> SpanID {
        var random = ProxyRandom()
        return SpanID(.random(in: 1...UInt64.max, using: &random))
    }
}
