/// Zipkin B3 propagation: the multiple `x-b3-*` headers and the single `b3` header.
///
/// - Multi: `x-b3-traceid` (16 or 32 hex), `x-b3-spanid` (16 hex), `x-b3-parentspanid`
///   (optional), `x-b3-sampled` (`1`/`0`, also `true`/`false`), `x-b3-flags: 1` (debug,
///   which implies sampled).
/// - Single: `b3: {trace}-{span}[-{1|0|d}[-{parent}]]`, or only a sampling state
///   (`b3: 0` to deny; `1` and `d` are read the same way).
///
/// Hex is read case-insensitively (B3 asks for lowercase, but Keiro is lenient on input) and
/// always written in lowercase. A 64-bit trace id becomes a ``TraceID`` with `high == 0` and is
/// written back as 16 hex digits; a trace id whose high half is non-zero is written as 32.
/// All-zero trace or span ids are invalid; an all-zero parent span id reads as no parent.
public enum B3Propagation {
    /// `b3` (header names are lowercase).
    public static let singleHeaderName = "b3"
    /// `x-b3-traceid`.
    public static let traceIDHeaderName = "x-b3-traceid"
    /// `x-b3-spanid`.
    public static let spanIDHeaderName = "x-b3-spanid"
    /// `x-b3-parentspanid`.
    public static let parentSpanIDHeaderName = "x-b3-parentspanid"
    /// `x-b3-sampled`.
    public static let sampledHeaderName = "x-b3-sampled"
    /// `x-b3-flags`.
    public static let flagsHeaderName = "x-b3-flags"
    /// Every B3 header name (lowercase), so a proxy can strip the caller's before injecting.
    public static let headerNames = [singleHeaderName, traceIDHeaderName, spanIDHeaderName, parentSpanIDHeaderName, sampledHeaderName, flagsHeaderName]

    /// A B3 sampling state.
    public enum SamplingState: Sendable, Hashable {
        /// Not sampled (`0`).
        case deny
        /// Sampled (`1`).
        case accept
        /// Debug (`d`, `x-b3-flags: 1`): sampled and forced through sampling downstream.
        case debug

        /// The state a context carries: debug, else accept/deny, else `nil` (deferred).
        public init?(_ context: TraceContext) {
            if context.debug {
                self = .debug
            } else if let sampled = context.sampled {
                self = sampled ? .accept : .deny
            } else {
                return nil
            }
        }
    }

    /// What a set of B3 headers carried.
    public enum Decoded: Sendable, Hashable {
        /// A trace to continue.
        case context(TraceContext)
        /// Only a sampling decision (`b3: 0`, or `x-b3-sampled` without ids): start a new
        /// trace that honours it.
        case samplingOnly(SamplingState)
    }

    // MARK: Single header

    /// Parses a `b3` header value; `nil` when it is malformed (the header is then ignored).
    public static func parseSingle<S: StringProtocol>(_ value: S) -> Decoded? {
        let text = value.trimmingOWS
        if text.utf8.count == 1 {
            return samplingState(single: text).map(Decoded.samplingOnly)
        }
        let fields = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (2...4).contains(fields.count),
              fields[0].utf8.count == 16 || fields[0].utf8.count == 32,
              let traceID = TraceID(hex: fields[0]), traceID.isValid,
              let spanID = SpanID(hex: fields[1]), spanID.isValid
        else { return nil }
        var state: SamplingState?
        if fields.count >= 3 {
            guard let parsed = samplingState(single: fields[2]) else { return nil }
            state = parsed
        }
        var parent: SpanID?
        if fields.count == 4 {
            guard let parsed = SpanID(hex: fields[3]) else { return nil }
            parent = parsed.isValid ? parsed : nil
        }
        return .context(context(traceID: traceID, spanID: spanID, parentSpanID: parent, state: state, format: .b3Single))
    }

    /// The `b3` value `{trace}-{span}[-{1|0|d}[-{parent}]]`. The parent is written only
    /// with a sampling state, because the single format has no slot for it otherwise.
    public static func singleHeaderValue(traceID: TraceID, spanID: SpanID, sampling: SamplingState?, parentSpanID: SpanID? = nil) -> String {
        var value = "\(hex(traceID))-\(spanID.hexString)"
        if let sampling {
            value += "-" + singleSymbol(sampling)
            if let parentSpanID { value += "-\(parentSpanID.hexString)" }
        }
        return value
    }

    /// The `b3` value for a sampling decision alone (`0`, `1` or `d`).
    public static func singleHeaderValue(sampling: SamplingState) -> String {
        singleSymbol(sampling)
    }

    /// The `b3` value re-stating a context as received (span = ``TraceContext/parentSpanID``,
    /// parent = ``TraceContext/callerParentSpanID``); `nil` without a span id.
    public static func singleHeaderValue(for context: TraceContext) -> String? {
        guard let span = context.parentSpanID else { return nil }
        return singleHeaderValue(traceID: context.traceID, spanID: span, sampling: SamplingState(context), parentSpanID: context.callerParentSpanID)
    }

    // MARK: Multiple headers

    /// Parses the values of the `x-b3-*` headers (`nil` for an absent header). Returns `nil`
    /// when there is nothing usable: no ids and no sampling state, or malformed ids.
    public static func parseMulti(
        traceID traceIDValue: String?,
        spanID spanIDValue: String?,
        parentSpanID parentValue: String? = nil,
        sampled sampledValue: String? = nil,
        flags flagsValue: String? = nil
    ) -> Decoded? {
        var state: SamplingState?
        if let sampledValue {
            switch sampledValue.trimmingOWS.lowercased() {
            case "1", "true": state = .accept
            case "0", "false": state = .deny
            default: state = nil  // unknown values defer the decision
            }
        }
        if let flagsValue, flagsValue.trimmingOWS == "1" { state = .debug }

        guard let traceIDValue, let spanIDValue else {
            // Ids are all-or-nothing: a lone sampling state is still meaningful.
            if traceIDValue == nil, spanIDValue == nil, let state { return .samplingOnly(state) }
            return nil
        }
        let traceText = traceIDValue.trimmingOWS
        guard traceText.utf8.count == 16 || traceText.utf8.count == 32,
              let traceID = TraceID(hex: traceText), traceID.isValid,
              let spanID = SpanID(hex: spanIDValue.trimmingOWS), spanID.isValid
        else { return nil }
        var parent: SpanID?
        if let parentValue {
            guard let parsed = SpanID(hex: parentValue.trimmingOWS) else { return nil }
            parent = parsed.isValid ? parsed : nil
        }
        return .context(context(traceID: traceID, spanID: spanID, parentSpanID: parent, state: state, format: .b3Multi))
    }

    /// The `x-b3-*` headers (lowercase names) for a span: trace id, span id, parent when
    /// given, then `x-b3-flags: 1` for debug (which implies sampled, so `x-b3-sampled` is
    /// not repeated) or `x-b3-sampled: 1|0`; nothing for a deferred decision.
    public static func multiHeaders(traceID: TraceID, spanID: SpanID, parentSpanID: SpanID? = nil, sampling: SamplingState?) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [
            (traceIDHeaderName, hex(traceID)),
            (spanIDHeaderName, spanID.hexString),
        ]
        if let parentSpanID { headers.append((parentSpanIDHeaderName, parentSpanID.hexString)) }
        switch sampling {
        case .debug?: headers.append((flagsHeaderName, "1"))
        case .accept?: headers.append((sampledHeaderName, "1"))
        case .deny?: headers.append((sampledHeaderName, "0"))
        case nil: break
        }
        return headers
    }

    /// The `x-b3-*` headers re-stating a context as received; empty without a span id.
    public static func multiHeaders(for context: TraceContext) -> [(name: String, value: String)] {
        guard let span = context.parentSpanID else { return [] }
        return multiHeaders(traceID: context.traceID, spanID: span, parentSpanID: context.callerParentSpanID, sampling: SamplingState(context))
    }

    // MARK: Helpers

    /// 16 hex digits for a 64-bit id (`high == 0`), else 32.
    static func hex(_ traceID: TraceID) -> String {
        traceID.high == 0 ? traceID.low.hexString16 : traceID.hexString
    }

    private static func samplingState(single: Substring) -> SamplingState? {
        switch single {
        case "0": .deny
        case "1": .accept
        case "d": .debug
        default: nil
        }
    }

    private static func singleSymbol(_ state: SamplingState) -> String {
        switch state {
        case .deny: "0"
        case .accept: "1"
        case .debug: "d"
        }
    }

    private static func context(traceID: TraceID, spanID: SpanID, parentSpanID: SpanID?, state: SamplingState?, format: TraceContext.Format) -> TraceContext {
        let sampled: Bool? = switch state {
        case .deny?: false
        case .accept?, .debug?: true
        case nil: nil
        }
        return TraceContext(traceID: traceID, parentSpanID: spanID, callerParentSpanID: parentSpanID, sampled: sampled, debug: state == .debug, format: format)
    }
}
