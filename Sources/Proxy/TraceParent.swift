import KeiroModel

// TEMPORARY (replace with KeiroModel's TraceContext codecs once they land): a minimal
// W3C `traceparent` parse and format so the proxy continues a caller's trace today.
// B3 and X-Amzn-Trace-Id are not read yet.

/// The trace a request belongs to: the caller's (from `traceparent`) or a new one.
struct RequestTraceContext: Sendable {
    var traceID: TraceID
    /// The caller's span (parent of the SERVER span), nil when this proxy starts the trace.
    var parentSpanID: SpanID?
    /// W3C trace flags (0x01 sampled).
    var flags: UInt8
    /// `tracestate` as received.
    var traceState: String

    /// Reads `traceparent` (version 00 layout; invalid or all-zero ids are ignored) or
    /// starts a new sampled trace.
    init(traceparent: String?, tracestate: String?) {
        if let traceparent, let parsed = Self.parse(traceparent) {
            self = parsed
            traceState = tracestate ?? ""
        } else {
            traceID = .random()
            parentSpanID = nil
            flags = 1
            traceState = ""
        }
    }

    private init(traceID: TraceID, parentSpanID: SpanID?, flags: UInt8, traceState: String) {
        self.traceID = traceID
        self.parentSpanID = parentSpanID
        self.flags = flags
        self.traceState = traceState
    }

    private static func parse(_ header: String) -> RequestTraceContext? {
        let parts = header.trimmingSpaces.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0].lowercased() != "ff",
            parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
            let traceID = TraceID(hex: parts[1]), traceID.isValid,
            let spanID = SpanID(hex: parts[2]), spanID.isValid,
            let flags = UInt8(parts[3], radix: 16)
        else { return nil }
        if parts[0] == "00", parts.count != 4 { return nil }
        return RequestTraceContext(traceID: traceID, parentSpanID: spanID, flags: flags, traceState: "")
    }

    /// `traceparent` naming `spanID` as the parent of the next hop.
    func traceparent(parent spanID: SpanID) -> String {
        let flagsHex = String(flags, radix: 16)
        return "00-\(traceID.hexString)-\(spanID.hexString)-\(flagsHex.count == 1 ? "0" + flagsHex : flagsHex)"
    }
}

extension TraceID {
    /// A random, valid trace id.
    static func random() -> TraceID {
        TraceID(high: .random(in: 0...UInt64.max), low: .random(in: 1...UInt64.max))
    }
}

extension SpanID {
    /// A random, valid span id.
    static func random() -> SpanID { SpanID(.random(in: 1...UInt64.max)) }
}

extension StringProtocol {
    var trimmingSpaces: Substring {
        let trimmed = drop { $0 == " " || $0 == "\t" }
        return Substring(trimmed.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
