import KeiroModel

/// Why a single span was refused while the rest of its request was accepted.
public enum RejectionReason: String, Sendable, CaseIterable, Hashable {
    case invalidTraceID = "invalid_trace_id"
    case invalidSpanID = "invalid_span_id"
    case invalidParentSpanID = "invalid_parent_span_id"
    case endBeforeStart = "end_before_start"
    case timestampOutOfRange = "timestamp_out_of_range"
    case missingTimestamp = "missing_timestamp"
}

/// Spans refused within one request: a count per reason and the first message, for the
/// OTLP `partial_success.error_message`.
public struct SpanRejections: Sendable, Hashable {
    public private(set) var byReason: [RejectionReason: Int] = [:]
    public private(set) var firstMessage: String?

    public init() {}

    public var count: Int { byReason.values.reduce(0, +) }

    public mutating func record(_ reason: RejectionReason, _ message: @autoclosure () -> String) {
        byReason[reason, default: 0] += 1
        if firstMessage == nil { firstMessage = message() }
    }

    public mutating func merge(_ other: SpanRejections) {
        for (reason, count) in other.byReason { byReason[reason, default: 0] += count }
        if firstMessage == nil { firstMessage = other.firstMessage }
    }

    /// `"2 spans rejected: invalid_trace_id=1, end_before_start=1; first: …"`.
    public var summary: String {
        let reasons = byReason.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue)=\($0.value)" }
        return "\(count) span\(count == 1 ? "" : "s") rejected (\(reasons.joined(separator: ", ")))"
            + (firstMessage.map { "; first: \($0)" } ?? "")
    }
}

/// The result of decoding one export request: the spans that passed the wire-level checks
/// and what was refused.
public struct DecodedSpans: Sendable {
    public var batch: SpanBatch
    public var rejections: SpanRejections

    public init(batch: SpanBatch = SpanBatch(), rejections: SpanRejections = SpanRejections()) {
        self.batch = batch
        self.rejections = rejections
    }
}

/// The request body as a whole could not be decoded (answered with 400).
public struct WireDecodingError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// One refused span, with the message a sender can act on.
struct SpanRejection: Error {
    var reason: RejectionReason
    var message: String
}

/// The ids of a span sent as hex strings (OTLP/JSON, Zipkin): trace id, span id and an
/// optional parent (empty or all-zero means root), or the rejection naming the bad field.
struct HexSpanIDs {
    var traceID: TraceID
    var spanID: SpanID
    var parent: SpanID?

    /// `fields` are the wire's names for the three ids; `traceDigits` the accepted lengths.
    static func read(
        trace: String?, span: String?, parent: String?, fields: (trace: String, span: String, parent: String),
        traceDigits: Set<Int>, index: Int
    ) -> Result<HexSpanIDs, SpanRejection> {
        guard let trace, traceDigits.contains(trace.count), let traceID = TraceID(hex: trace), traceID.isValid else {
            let lengths = traceDigits.sorted().map(String.init).joined(separator: " or ")
            return .failure(SpanRejection(reason: .invalidTraceID, message: "span #\(index): \(fields.trace) '\(trace ?? "")' is not \(lengths) hex digits or is all zero"))
        }
        guard let spanID = span.flatMap({ SpanID(hex: $0) }), spanID.isValid else {
            return .failure(SpanRejection(reason: .invalidSpanID, message: "span #\(index): \(fields.span) '\(span ?? "")' is not 16 hex digits or is all zero"))
        }
        guard let parent, !parent.isEmpty else { return .success(HexSpanIDs(traceID: traceID, spanID: spanID)) }
        guard let parentID = SpanID(hex: parent) else {
            return .failure(SpanRejection(reason: .invalidParentSpanID, message: "span #\(index): \(fields.parent) '\(parent)' is not 16 hex digits"))
        }
        return .success(HexSpanIDs(traceID: traceID, spanID: spanID, parent: parentID.isValid ? parentID : nil))
    }
}

/// Checks that do not depend on the wire format, applied to each decoded span.
enum SpanChecks {
    /// Latest accepted timestamp: SQLite stores nanoseconds as signed 64-bit integers.
    static let maxTimestamp = UInt64(Int64.max)

    /// Returns the reason `span` must be refused, if any.
    static func rejection(for span: Span) -> (RejectionReason, String)? {
        if span.startTimeUnixNano > maxTimestamp || span.endTimeUnixNano > maxTimestamp {
            return (.timestampOutOfRange, "span \(span.spanID): timestamp beyond year 2262")
        }
        if span.endTimeUnixNano < span.startTimeUnixNano {
            return (.endBeforeStart, "span \(span.spanID): end_time_unix_nano \(span.endTimeUnixNano) is before start_time_unix_nano \(span.startTimeUnixNano)")
        }
        return nil
    }
}
