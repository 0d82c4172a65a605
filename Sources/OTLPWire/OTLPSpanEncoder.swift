import KeiroModel

/// Writes one span straight into OTLP protobuf (``EncodedSpan``), attribute by attribute,
/// without building a ``Span`` or ``Attribute`` values first: what a proxy's span costs it
/// on its own threads is these byte appends.
///
/// Fields go in field-number order, as SwiftProtobuf writes them: the header (ids, name,
/// kind, times) at `init`, then the attributes, then status and flags in ``finish(status:flags:)``.
/// A span without events or links reads back equal to the ``Span`` with the same values.
public struct OTLPSpanEncoder: AttributeWriter {
    private var writer: ProtobufWriter

    public init(
        traceID: TraceID, spanID: SpanID, parentSpanID: SpanID?, traceState: String, name: String, kind: SpanKind,
        startTimeUnixNano: UInt64, endTimeUnixNano: UInt64, capacity: Int = 640
    ) {
        writer = ProtobufWriter(capacity: capacity)
        writer.spanHeader(
            traceID: traceID, spanID: spanID, traceState: traceState, parent: parentSpanID, name: name, kind: kind,
            start: startTimeUnixNano, end: endTimeUnixNano)
    }

    public mutating func add(_ key: String, _ value: String) { writer.keyValue(9, key, .string(value)) }
    public mutating func add(_ key: String, _ value: Int64) { writer.keyValue(9, key, .int(value)) }
    public mutating func add(_ key: String, _ value: Bool) { writer.keyValue(9, key, .bool(value)) }
    public mutating func add(_ attribute: Attribute) { writer.keyValue(9, attribute.key, attribute.value) }

    /// The span, with its status and W3C flags.
    public consuming func finish(status: SpanStatus, flags: UInt32) -> EncodedSpan {
        writer.spanTrailer(status: status, flags: flags)
        return EncodedSpan(bytes: writer.takeBytes())
    }
}
