import Foundation
import KeiroModel

// Keiro's model as the generated OTLP protobuf messages (tests and tools build requests
// with them; the collector decodes with `OTLPProtobufDecoder`).

extension Span {
    /// This span as an OTLP protobuf message.
    public var otlp: OTLPSpan {
        var wire = OTLPSpan()
        wire.traceID = Data(traceID.bytes)
        wire.spanID = Data(spanID.bytes)
        if let parentSpanID { wire.parentSpanID = Data(parentSpanID.bytes) }
        wire.traceState = traceState
        wire.name = name
        wire.kind = OTLPSpan.SpanKind(rawValue: kind.rawValue) ?? .unspecified
        wire.startTimeUnixNano = startTimeUnixNano
        wire.endTimeUnixNano = endTimeUnixNano
        wire.attributes = attributes.map(\.otlp)
        wire.droppedAttributesCount = droppedAttributesCount
        wire.events = events.map { event in
            var wireEvent = OTLPSpan.Event()
            wireEvent.timeUnixNano = event.timeUnixNano
            wireEvent.name = event.name
            wireEvent.attributes = event.attributes.map(\.otlp)
            wireEvent.droppedAttributesCount = event.droppedAttributesCount
            return wireEvent
        }
        wire.droppedEventsCount = droppedEventsCount
        wire.links = links.map { link in
            var wireLink = OTLPSpan.Link()
            wireLink.traceID = Data(link.traceID.bytes)
            wireLink.spanID = Data(link.spanID.bytes)
            wireLink.traceState = link.traceState
            wireLink.attributes = link.attributes.map(\.otlp)
            wireLink.droppedAttributesCount = link.droppedAttributesCount
            wireLink.flags = link.flags
            return wireLink
        }
        wire.droppedLinksCount = droppedLinksCount
        wire.status.code = Opentelemetry_Proto_Trace_V1_Status.StatusCode(rawValue: status.code.rawValue) ?? .unset
        wire.status.message = status.message
        wire.flags = flags
        return wire
    }
}

extension SpanBatch {
    /// This batch as an OTLP export request.
    public var otlpRequest: OTLPExportRequest {
        var request = OTLPExportRequest()
        request.resourceSpans = resourceSpans.map { resourceSpans in
            var wire = OTLPResourceSpans()
            wire.resource.attributes = resourceSpans.resource.attributes.map(\.otlp)
            wire.resource.droppedAttributesCount = resourceSpans.resource.droppedAttributesCount
            wire.scopeSpans = resourceSpans.scopeSpans.map { scopeSpans in
                var wireScope = OTLPScopeSpans()
                wireScope.scope.name = scopeSpans.scope.name
                wireScope.scope.version = scopeSpans.scope.version
                wireScope.scope.attributes = scopeSpans.scope.attributes.map(\.otlp)
                wireScope.scope.droppedAttributesCount = scopeSpans.scope.droppedAttributesCount
                wireScope.spans = scopeSpans.spans.map(\.otlp)
                return wireScope
            }
            return wire
        }
        return request
    }
}

extension Attribute {
    var otlp: OTLPKeyValue {
        var wire = OTLPKeyValue()
        wire.key = key
        wire.value = value.otlp
        return wire
    }
}

extension AttributeValue {
    var otlp: OTLPAnyValue {
        var wire = OTLPAnyValue()
        switch self {
        case .string(let value): wire.stringValue = value
        case .bool(let value): wire.boolValue = value
        case .int(let value): wire.intValue = value
        case .double(let value): wire.doubleValue = value
        case .array(let values): wire.arrayValue.values = values.map(\.otlp)
        case .map(let entries): wire.kvlistValue.values = entries.map(\.otlp)
        case .bytes(let bytes): wire.bytesValue = Data(bytes)
        }
        return wire
    }
}
