/// The W3C Trace Context `traceparent` header:
/// `{version}-{32 hex trace id}-{16 hex parent id}-{2 hex flags}`, all lowercase hex.
///
/// Parsing follows the Trace Context rules: version `ff` is invalid, all-zero ids are
/// invalid, uppercase hex is invalid; version `00` must be exactly 55 characters; a higher
/// (future) version is read by its first four fields, and anything after them must start
/// with `-` (ignored). Formatting always writes version `00`.
public struct W3CTraceParent: Sendable, Hashable {
    /// The trace-flags bit meaning "the caller may have recorded this trace".
    public static let sampledFlag: UInt8 = 0x01
    /// The Trace Context level 2 "random trace id" flag.
    public static let randomTraceIDFlag: UInt8 = 0x02
    /// The flags this implementation knows and forwards; other bits are written as zero,
    /// as the specification requires for version `00`.
    public static let knownFlags: UInt8 = sampledFlag | randomTraceIDFlag

    /// The header version as received (`0` for `00`; never `0xff`).
    public var version: UInt8
    /// The trace id (never all-zero).
    public var traceID: TraceID
    /// The caller's span id (never all-zero).
    public var parentID: SpanID
    /// The trace-flags byte as received.
    public var flags: UInt8

    /// Creates a value; `version` defaults to `00`.
    public init(version: UInt8 = 0, traceID: TraceID, parentID: SpanID, flags: UInt8) {
        self.version = version
        self.traceID = traceID
        self.parentID = parentID
        self.flags = flags
    }

    /// Whether the sampled flag (0x01) is set.
    public var sampled: Bool { flags & Self.sampledFlag != 0 }

    /// Parses a `traceparent` value (surrounding spaces and tabs are ignored); `nil` when it
    /// is invalid, in which case the header must be ignored.
    public init?<S: StringProtocol>(header: S) {
        let bytes = Array(header.trimmingOWS.utf8)
        let dash = UInt8(ascii: "-")
        // version(2) - trace(32) - parent(16) - flags(2) = 55 bytes.
        guard bytes.count >= 55,
              bytes[2] == dash, bytes[35] == dash, bytes[52] == dash,
              LowercaseHex.isLowercaseHex(bytes[0..<2]),
              let version = UInt8(hexDigits: bytes[0..<2]), version != 0xff
        else { return nil }
        if version == 0 {
            guard bytes.count == 55 else { return nil }
        } else if bytes.count > 55 {
            // Future versions may append fields; they must be separated by a dash.
            guard bytes[55] == dash else { return nil }
        }
        let traceHex = bytes[3..<35], parentHex = bytes[36..<52], flagsHex = bytes[53..<55]
        guard LowercaseHex.isLowercaseHex(traceHex), LowercaseHex.isLowercaseHex(parentHex), LowercaseHex.isLowercaseHex(flagsHex),
              let high = UInt64(hexUTF8: traceHex.prefix(16)), let low = UInt64(hexUTF8: traceHex.suffix(16)),
              let parent = UInt64(hexUTF8: parentHex), let flags = UInt8(hexDigits: flagsHex)
        else { return nil }
        let traceID = TraceID(high: high, low: low)
        let parentID = SpanID(parent)
        guard traceID.isValid, parentID.isValid else { return nil }
        self.init(version: version, traceID: traceID, parentID: parentID, flags: flags)
    }

    /// The header value in version `00`: `00-{trace}-{parent}-{flags}`, with only the known
    /// flags (sampled, random trace id) kept.
    public var headerValue: String {
        // Written in place: a proxy formats one per upstream try.
        String(unsafeUninitializedCapacity: 55) { buffer in
            let dash = UInt8(ascii: "-")
            buffer[0] = UInt8(ascii: "0")
            buffer[1] = UInt8(ascii: "0")
            buffer[2] = dash
            var end = LowercaseHex.write(traceID.high, digits: 16, into: buffer, at: 3)
            end = LowercaseHex.write(traceID.low, digits: 16, into: buffer, at: end)
            buffer[end] = dash
            end = LowercaseHex.write(parentID.value, digits: 16, into: buffer, at: end + 1)
            buffer[end] = dash
            return LowercaseHex.write(UInt64(flags & Self.knownFlags), digits: 2, into: buffer, at: end + 1)
        }
    }
}
