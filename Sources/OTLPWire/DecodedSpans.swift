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
