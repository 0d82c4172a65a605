import KeiroModel

extension SpanBatch {
    /// This batch as a serialized OTLP `ExportTraceServiceRequest`, written straight from
    /// the model: the same bytes as `otlpRequest.serializedBytes()` without building the
    /// SwiftProtobuf messages first (that path was the largest part of what tracing costs a
    /// proxy). Field numbers: `schemas/proto/opentelemetry/proto/…`.
    public var otlpRequestBytes: [UInt8] {
        var writer = ProtobufWriter(capacity: spanCount * 512 + 256)
        for resourceSpans in resourceSpans {
            writer.message(1) { $0.resourceSpans(resourceSpans) }
        }
        return writer.takeBytes()
    }
}

