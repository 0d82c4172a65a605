import KeiroModel
import SpanExport

/// Where the proxy hands finished spans. ``SpanExporter`` is the production sink (bounded
/// queue, never blocks); tests pass an in-memory one.
public protocol SpanSink: Sendable {
    /// Takes a finished span. Must return at once, never wait.
    func export(_ span: Span)
}

extension SpanExporter: SpanSink {}
