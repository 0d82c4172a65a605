/// The trace a request belongs to, as the caller propagated it: enough to continue the
/// trace (new spans under the caller's span) and to forward it upstream in the caller's
/// own format.
///
/// Built by the format codecs (``W3CTraceParent``, ``B3Propagation``, ``AmazonTraceID``)
/// and by ``TraceContextExtractor``; turned back into headers by
/// ``TraceContextExtractor/injectionHeaders(for:newParent:newParentsParent:)``.
public struct TraceContext: Sendable, Hashable {
    /// The propagation format a context was read from.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// W3C Trace Context `traceparent` (+ `tracestate`).
        case w3c
        /// B3 multiple headers (`x-b3-traceid`, `x-b3-spanid`, …).
        case b3Multi
        /// B3 single header (`b3: {trace}-{span}-{sampling}-{parent}`).
        case b3Single
        /// AWS X-Ray / ALB `X-Amzn-Trace-Id`.
        case xray
    }

    /// The trace id. 64-bit ids (B3, Zipkin) have `high == 0`; an X-Ray Root maps to
    /// its 8 epoch hex digits followed by its 24 unique hex digits.
    public var traceID: TraceID
    /// The caller's span: the parent of the spans this hop creates. `nil` when the caller
    /// named no span (an X-Ray header without `Parent=`).
    public var parentSpanID: SpanID?
    /// The caller's own parent span id when the format carries it (B3 `x-b3-parentspanid`
    /// or the fourth field of `b3`); kept so the header can be re-emitted unchanged.
    public var callerParentSpanID: SpanID?
    /// The caller's sampling decision: `true` sampled, `false` not sampled, `nil` deferred
    /// (B3 without a sampling state, X-Ray `Sampled=?` or no `Sampled=`).
    public var sampled: Bool?
    /// B3 debug (`x-b3-flags: 1`, `b3: …-d`). Debug implies sampled.
    public var debug: Bool
    /// The W3C trace-flags byte as received (bit 0x01 = sampled, 0x02 = random trace id in
    /// Trace Context level 2); for other formats 0x01 when sampled, else 0x00.
    public var traceFlags: UInt8
    /// The W3C `tracestate` list as received (several `tracestate` headers joined with
    /// `,`), or `nil` when absent, empty, malformed or longer than 32 members.
    public var traceState: String?
    /// Where the context came from; a proxy forwards B3 / X-Ray only to callers that used them.
    public var format: Format
    /// The caller's `X-Amzn-Trace-Id` fields (Root, Self, Parent, Sampled and unknown fields,
    /// in order) when it sent a valid one, so a proxy can re-emit it faithfully. Present for
    /// ``Format/xray`` contexts and also kept alongside the other formats.
    public var amazonTraceID: AmazonTraceID?

    /// Creates a context. `traceFlags` defaults to 0x01 when `sampled` or `debug`, else 0x00.
    public init(
        traceID: TraceID,
        parentSpanID: SpanID?,
        callerParentSpanID: SpanID? = nil,
        sampled: Bool?,
        debug: Bool = false,
        traceFlags: UInt8? = nil,
        traceState: String? = nil,
        format: Format,
        amazonTraceID: AmazonTraceID? = nil
    ) {
        self.traceID = traceID
        self.parentSpanID = parentSpanID
        self.callerParentSpanID = callerParentSpanID
        self.sampled = sampled
        self.debug = debug
        self.traceFlags = traceFlags ?? ((sampled == true || debug) ? W3CTraceParent.sampledFlag : 0)
        self.traceState = traceState
        self.format = format
        self.amazonTraceID = amazonTraceID
    }

    /// Whether spans of this trace should be recorded: sampled or debug. A deferred
    /// decision (`sampled == nil`) reads as `false`; the hop decides for itself.
    public var isSampled: Bool { debug || sampled == true }
}
