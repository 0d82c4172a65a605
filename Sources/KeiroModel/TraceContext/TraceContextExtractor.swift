/// Reads the caller's trace context from request headers and writes the headers a proxy
/// sends upstream.
///
/// Precedence when a request carries several formats: W3C `traceparent` → B3 single `b3` →
/// B3 multi `x-b3-*` → `X-Amzn-Trace-Id`. A format that is present but invalid is ignored and
/// the next one is tried (a malformed `b3` falls back to the `x-b3-*` headers). Header names
/// compare case-insensitively (ASCII).
public enum TraceContextExtractor {
    /// `traceparent`.
    public static let traceParentHeaderName = "traceparent"
    /// `tracestate`.
    public static let traceStateHeaderName = "tracestate"

    /// Every propagation header Keiro reads or writes (lowercase). A proxy removes these from
    /// the forwarded request and adds ``injectionHeaders(for:newParent:newParentsParent:)``.
    public static let propagationHeaderNames: [String] =
        [traceParentHeaderName, traceStateHeaderName] + B3Propagation.headerNames + [AmazonTraceID.headerName]

    /// The caller's trace context, or `nil` when the request carries none that is valid (the
    /// hop then starts a new trace; see ``samplingOnlyDecision(from:)``).
    ///
    /// - W3C: exactly one valid `traceparent` (several `traceparent` headers are ambiguous and
    ///   ignored); `tracestate` headers are joined and kept unless malformed or over 32 members.
    /// - B3 and X-Ray contexts carry no `tracestate` (without a valid `traceparent` it is ignored).
    /// - A valid `X-Amzn-Trace-Id` is kept in ``TraceContext/amazonTraceID`` whatever the format.
    public static func extract(from headers: [(name: String, value: String)]) -> TraceContext? {
        let amazon = first(AmazonTraceID.headerName, in: headers).flatMap { AmazonTraceID(header: $0) }.flatMap { $0.isValid ? $0 : nil }

        let traceParents = values(traceParentHeaderName, in: headers)
        if traceParents.count == 1, let parent = W3CTraceParent(header: traceParents[0]) {
            return TraceContext(
                traceID: parent.traceID,
                parentSpanID: parent.parentID,
                sampled: parent.sampled,
                traceFlags: parent.flags,
                traceState: W3CTraceState.normalized(values(traceStateHeaderName, in: headers)),
                format: .w3c,
                amazonTraceID: amazon
            )
        }

        var singleWasSamplingOnly = false
        if let single = first(B3Propagation.singleHeaderName, in: headers), let decoded = B3Propagation.parseSingle(single) {
            switch decoded {
            case .context(var context):
                context.amazonTraceID = amazon
                return context
            case .samplingOnly:
                singleWasSamplingOnly = true  // the single header wins: x-b3-* ids are not read
            }
        }

        if !singleWasSamplingOnly, case .context(var context)? = decodeMulti(headers) {
            context.amazonTraceID = amazon
            return context
        }

        if let amazon, let root = amazon.root {
            return TraceContext(traceID: root, parentSpanID: amazon.parent, sampled: amazon.sampled?.decision, format: .xray, amazonTraceID: amazon)
        }
        return nil
    }

    /// A bare B3 sampling decision (`b3: 0|1|d`, or `x-b3-sampled` / `x-b3-flags` without
    /// ids) for a hop that starts a new trace because ``extract(from:)`` returned `nil`; the
    /// single header wins. `nil` when the request carries none.
    public static func samplingOnlyDecision(from headers: [(name: String, value: String)]) -> B3Propagation.SamplingState? {
        if let single = first(B3Propagation.singleHeaderName, in: headers), let decoded = B3Propagation.parseSingle(single) {
            if case .samplingOnly(let state) = decoded { return state }
            return nil
        }
        if case .samplingOnly(let state)? = decodeMulti(headers) { return state }
        return nil
    }

    /// The headers (lowercase names, in this order) a proxy sends upstream to continue
    /// `context` under its own span `newParent`:
    /// - always `traceparent: 00-{trace}-{newParent}-{flags}` (sampled bit = sampled or debug;
    ///   the level-2 random flag kept), and `tracestate` when the context has one;
    /// - `b3` or the `x-b3-*` headers when the caller used that B3 style, with span id
    ///   `newParent`, parent span id `newParentsParent` when given (B3 parents are optional),
    ///   and the caller's sampling state;
    /// - `x-amzn-trace-id` when the caller sent a valid one: its fields unchanged except
    ///   `Parent={newParent}` when its Root is this trace (always so for X-Ray contexts).
    public static func injectionHeaders(for context: TraceContext, newParent: SpanID, newParentsParent: SpanID? = nil) -> [(name: String, value: String)] {
        let flags = (context.traceFlags & ~W3CTraceParent.sampledFlag) | (context.isSampled ? W3CTraceParent.sampledFlag : 0)
        var headers: [(name: String, value: String)] = [
            (traceParentHeaderName, W3CTraceParent(traceID: context.traceID, parentID: newParent, flags: flags).headerValue)
        ]
        if let traceState = context.traceState, !traceState.isEmpty {
            headers.append((traceStateHeaderName, traceState))
        }
        let sampling = B3Propagation.SamplingState(context)
        switch context.format {
        case .b3Single:
            headers.append((B3Propagation.singleHeaderName,
                            B3Propagation.singleHeaderValue(traceID: context.traceID, spanID: newParent, sampling: sampling, parentSpanID: newParentsParent)))
        case .b3Multi:
            headers += B3Propagation.multiHeaders(traceID: context.traceID, spanID: newParent, parentSpanID: newParentsParent, sampling: sampling)
        case .w3c, .xray:
            break
        }
        if var amazon = context.amazonTraceID {
            if amazon.root == context.traceID { amazon.parent = newParent }
            headers.append((AmazonTraceID.headerName, amazon.headerValue))
        }
        return headers
    }

    // MARK: Header lookup

    private static func decodeMulti(_ headers: [(name: String, value: String)]) -> B3Propagation.Decoded? {
        B3Propagation.parseMulti(
            traceID: first(B3Propagation.traceIDHeaderName, in: headers),
            spanID: first(B3Propagation.spanIDHeaderName, in: headers),
            parentSpanID: first(B3Propagation.parentSpanIDHeaderName, in: headers),
            sampled: first(B3Propagation.sampledHeaderName, in: headers),
            flags: first(B3Propagation.flagsHeaderName, in: headers)
        )
    }

    /// The first value of the header `lowercaseName`.
    static func first(_ lowercaseName: String, in headers: [(name: String, value: String)]) -> String? {
        headers.first { equalsIgnoringASCIICase($0.name, lowercaseName) }?.value
    }

    /// Every value of the header `lowercaseName`, in order.
    static func values(_ lowercaseName: String, in headers: [(name: String, value: String)]) -> [String] {
        headers.filter { equalsIgnoringASCIICase($0.name, lowercaseName) }.map(\.value)
    }

    /// Compares `name` with an already-lowercase ASCII name without allocating.
    static func equalsIgnoringASCIICase(_ name: String, _ lowercaseName: String) -> Bool {
        guard name.utf8.count == lowercaseName.utf8.count else { return false }
        return zip(name.utf8, lowercaseName.utf8).allSatisfy { a, b in
            (a >= UInt8(ascii: "A") && a <= UInt8(ascii: "Z") ? a | 0x20 : a) == b
        }
    }
}
