import KeiroModel
import OTLPWire

/// A span the proxy has finished: its identity, times and status, with the draft its
/// attributes come from. Sinks get it as it is; ``encoded`` serializes it for export with
/// no ``Span`` or ``Attribute`` values built on the way (the tracing cost a proxied request
/// pays on its event loop), and ``span`` builds the ``Span`` for readers such as the
/// access log. The two hold the same attributes: each draft writes them once, through
/// ``AttributeWriter``.
public struct FinishedSpan: Sendable {
    enum Draft: Sendable {
        case server(ServerSpanDraft)
        case client(ClientSpanDraft)
        /// Built elsewhere, complete (``init(_:)``).
        case built(Span)
    }

    let traceID: TraceID
    let spanID: SpanID
    let parentSpanID: SpanID?
    let traceState: String
    let name: String
    /// SERVER for an inbound request, CLIENT for one upstream try.
    public let kind: SpanKind
    let start: UInt64
    let end: UInt64
    let status: SpanStatus
    let flags: UInt32
    let draft: Draft

    /// The span as an OTLP `Span` message.
    public var encoded: EncodedSpan {
        if case .built(let span) = draft { return EncodedSpan(span) }
        var encoder = OTLPSpanEncoder(
            traceID: traceID, spanID: spanID, parentSpanID: parentSpanID, traceState: traceState, name: name, kind: kind,
            startTimeUnixNano: start, endTimeUnixNano: end)
        writeAttributes(into: &encoder)
        return encoder.finish(status: status, flags: flags)
    }

    /// The span as a model value.
    public var span: Span {
        if case .built(let span) = draft { return span }
        var attributes: [Attribute] = []
        attributes.reserveCapacity(32)
        writeAttributes(into: &attributes)
        return Span(
            traceID: traceID, spanID: spanID, parentSpanID: parentSpanID, traceState: traceState, name: name, kind: kind,
            startTimeUnixNano: start, endTimeUnixNano: end, attributes: attributes, status: status, flags: flags)
    }

    private func writeAttributes(into writer: inout some AttributeWriter) {
        switch draft {
        case .server(let draft): draft.writeAttributes(into: &writer)
        case .client(let draft): draft.writeAttributes(into: &writer)
        case .built(let span): writer.add(contentsOf: span.attributes)
        }
    }
}

extension FinishedSpan {
    /// A span built elsewhere, handed to sinks as it is.
    public init(_ span: Span) {
        self.init(
            traceID: span.traceID, spanID: span.spanID, parentSpanID: span.parentSpanID, traceState: span.traceState,
            name: span.name, kind: span.kind, start: span.startTimeUnixNano, end: span.endTimeUnixNano, status: span.status,
            flags: span.flags, draft: .built(span))
    }
}
