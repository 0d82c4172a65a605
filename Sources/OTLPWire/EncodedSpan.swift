import KeiroModel

/// One span already serialized as an OTLP `Span` message (its body, without tag and
/// length), ready to be put in an export request as it is.
///
/// Exporters queue these instead of ``Span`` values: the bytes are one allocation, and a
/// batch is built by copying them (``otlpRequestBytes(resource:scope:spans:)``).
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
        var bytes: [UInt8] = []
        writeOTLPRequest(resource: resource, scope: scope, spans: spans, into: &bytes)
        return bytes
    }

    /// Replaces `bytes` with the request ``otlpRequestBytes(resource:scope:spans:)`` makes,
    /// keeping their capacity (an exporter reuses one array from batch to batch). The
    /// message lengths are computed up front, so every span is copied exactly once.
    public static func writeOTLPRequest(resource: Resource, scope: InstrumentationScope, spans: [EncodedSpan], into bytes: inout [UInt8]) {
        var resourceWriter = ProtobufWriter()
        resourceWriter.resource(resource)
        let resourceMessage = resourceWriter.takeBytes()
        var scopeWriter = ProtobufWriter()
        scopeWriter.scope(scope)
        let scopeMessage = scopeWriter.takeBytes()
        var scopeSpansLength = ProtobufWriter.fieldLength(scopeMessage.count)
        for span in spans { scopeSpansLength += ProtobufWriter.fieldLength(span.bytes.count) }
        let resourceSpansLength = ProtobufWriter.fieldLength(resourceMessage.count) + ProtobufWriter.fieldLength(scopeSpansLength)

        var writer = ProtobufWriter(reusing: &bytes, capacity: ProtobufWriter.fieldLength(resourceSpansLength))
        writer.lengthDelimited(1, length: resourceSpansLength)  // ExportTraceServiceRequest.resource_spans
        writer.lengthDelimited(1, length: resourceMessage.count)  // ResourceSpans.resource
        writer.append(resourceMessage)
        writer.lengthDelimited(2, length: scopeSpansLength)  // ResourceSpans.scope_spans
        writer.lengthDelimited(1, length: scopeMessage.count)  // ScopeSpans.scope
        writer.append(scopeMessage)
        for span in spans {
            writer.lengthDelimited(2, length: span.bytes.count)  // ScopeSpans.spans
            writer.append(span.bytes)
        }
        bytes = writer.takeBytes()
    }
}
