import KeiroModel

/// One span already serialized as an OTLP `Span` message (its body, without tag and
/// length), ready to be put in an export request as it is.
///
/// Exporters queue these bytes instead of ``Span`` values, and build a request by copying
/// them as `ScopeSpans.spans` fields (``appendSpansFieldHeader(length:to:)``,
/// ``writeOTLPRequest(resource:scope:spansFields:into:)``).
public struct EncodedSpan: Sendable, Hashable {
    /// The `Span` message's fields.
    public let bytes: [UInt8]

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// `span` serialized.
    public init(_ span: Span) {
        var writer = ProtobufWriter(capacity: 512)
        writer.span(span)
        bytes = writer.takeBytes()
    }

    /// An OTLP `ExportTraceServiceRequest` holding `spans` under one resource and scope.
    public static func otlpRequestBytes(resource: Resource, scope: InstrumentationScope, spans: [EncodedSpan]) -> [UInt8] {
        var fields: [UInt8] = []
        for span in spans {
            appendSpansFieldHeader(length: span.bytes.count, to: &fields)
            fields += span.bytes
        }
        var bytes: [UInt8] = []
        writeOTLPRequest(resource: resource, scope: scope, spansFields: fields, into: &bytes)
        return bytes
    }

    /// Appends the tag and length of a `ScopeSpans.spans` field whose `length`-byte span
    /// message follows: how a request holds each span (``writeOTLPRequest(resource:scope:spansFields:into:)``).
    public static func appendSpansFieldHeader(length: Int, to bytes: inout [UInt8]) {
        bytes.append(2 << 3 | 2)
        var length = UInt64(length)
        while length >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: length) | 0x80)
            length >>= 7
        }
        bytes.append(UInt8(length))
    }

    /// Replaces `bytes` with an `ExportTraceServiceRequest` under `resource` and `scope`
    /// whose spans are `spansFields`: `ScopeSpans.spans` fields back to back, each a header
    /// (``appendSpansFieldHeader(length:to:)``) and a span message. Keeps `bytes`' capacity
    /// (an exporter reuses one array from batch to batch); the fields are copied once.
    public static func writeOTLPRequest(resource: Resource, scope: InstrumentationScope, spansFields: [UInt8], into bytes: inout [UInt8]) {
        var resourceWriter = ProtobufWriter()
        resourceWriter.resource(resource)
        let resourceMessage = resourceWriter.takeBytes()
        var scopeWriter = ProtobufWriter()
        scopeWriter.scope(scope)
        let scopeMessage = scopeWriter.takeBytes()
        let scopeSpansLength = ProtobufWriter.fieldLength(scopeMessage.count) + spansFields.count
        let resourceSpansLength = ProtobufWriter.fieldLength(resourceMessage.count) + ProtobufWriter.fieldLength(scopeSpansLength)

        var writer = ProtobufWriter(reusing: &bytes, capacity: ProtobufWriter.fieldLength(resourceSpansLength))
        writer.lengthDelimited(1, length: resourceSpansLength)  // ExportTraceServiceRequest.resource_spans
        writer.lengthDelimited(1, length: resourceMessage.count)  // ResourceSpans.resource
        writer.append(resourceMessage)
        writer.lengthDelimited(2, length: scopeSpansLength)  // ResourceSpans.scope_spans
        writer.lengthDelimited(1, length: scopeMessage.count)  // ScopeSpans.scope
        writer.append(scopeMessage)
        writer.append(spansFields)
        bytes = writer.takeBytes()
    }
}
