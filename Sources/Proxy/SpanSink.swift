import OTLPWire
import SpanExport

/// Where the proxy hands finished spans. ``SpanExporter`` is the production sink (bounded
/// queue, never blocks); tests pass an in-memory one.
public protocol SpanSink: Sendable {
    /// Takes a finished span. Must return at once, never wait.
    func export(_ span: FinishedSpan)
}

extension SpanExporter: SpanSink {
    /// Serializes `span` on the caller's thread and queues the bytes.
    public func export(_ span: FinishedSpan) {
        export(span.encoded)
    }
}
