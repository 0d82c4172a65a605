import Foundation
import KeiroModel

// Conversions between the generated OTLP protobuf messages and Keiro's model.

/// Decodes an OTLP/HTTP protobuf `ExportTraceServiceRequest` body into Keiro spans.
public enum OTLPProtobufDecoder {
    public static func decode(_ body: [UInt8]) throws(WireDecodingError) -> DecodedSpans {
        let request: OTLPExportRequest
        do {
            request = try OTLPExportRequest(serializedBytes: body)
        } catch {
            throw WireDecodingError("invalid OTLP protobuf body: \(error)")
        }
        return decode(request)
    }

    public static func decode(_ request: OTLPExportRequest) -> DecodedSpans {
        var decoded = DecodedSpans()
        decoded.batch.resourceSpans.reserveCapacity(request.resourceSpans.count)
        for resourceSpans in request.resourceSpans {
            var scopes: [ScopeSpans] = []
            for scopeSpans in resourceSpans.scopeSpans {
                var spans: [Span] = []
                spans.reserveCapacity(scopeSpans.spans.count)
                for (index, wire) in scopeSpans.spans.enumerated() {
                    switch Span.fromOTLP(wire, index: index) {
                    case .success(let span): spans.append(span)
                    case .failure(let rejection): decoded.rejections.record(rejection.reason, rejection.message)
                    }
                }
                if !spans.isEmpty {
                    let scope = scopeSpans.scope
                    scopes.append(
                        ScopeSpans(
                            scope: InstrumentationScope(
                                name: scope.name, version: scope.version, attributes: scope.attributes.map(Attribute.init(otlp:)),
                                droppedAttributesCount: scope.droppedAttributesCount),
                            spans: spans))
                }
            }
            if !scopes.isEmpty {
                let resource = Resource(
                    attributes: resourceSpans.resource.attributes.map(Attribute.init(otlp:)),
                    droppedAttributesCount: resourceSpans.resource.droppedAttributesCount)
                decoded.batch.resourceSpans.append(ResourceSpans(resource: resource, scopeSpans: scopes))
            }
        }
        return decoded
    }
}

extension Span {
    static func fromOTLP(_ wire: OTLPSpan, index: Int) -> Result<Span, SpanRejection> {
        guard let traceID = TraceID(bytes: wire.traceID), traceID.isValid else {
            return .failure(.init(reason: .invalidTraceID, message: "span #\(index): trace_id has \(wire.traceID.count) bytes or is all zero; want 16 non-zero bytes"))
        }
        guard let spanID = SpanID(bytes: wire.spanID), spanID.isValid else {
            return .failure(.init(reason: .invalidSpanID, message: "span #\(index): span_id has \(wire.spanID.count) bytes or is all zero; want 8 non-zero bytes"))
        }
        var parent: SpanID?
        if !wire.parentSpanID.isEmpty {
            guard let id = SpanID(bytes: wire.parentSpanID) else {
                return .failure(.init(reason: .invalidParentSpanID, message: "span #\(index): parent_span_id has \(wire.parentSpanID.count) bytes; want 0 or 8"))
            }
            parent = id.isValid ? id : nil
        }
        let links = wire.links.compactMap { link -> SpanLink? in
            guard let linkTrace = TraceID(bytes: link.traceID), let linkSpan = SpanID(bytes: link.spanID) else { return nil }
            return SpanLink(
                traceID: linkTrace, spanID: linkSpan, traceState: link.traceState, attributes: link.attributes.map(Attribute.init(otlp:)),
                droppedAttributesCount: link.droppedAttributesCount, flags: link.flags)
        }
        let span = Span(
            traceID: traceID, spanID: spanID, parentSpanID: parent, traceState: wire.traceState, name: wire.name,
            kind: SpanKind(rawValue: wire.kind.rawValue) ?? .unspecified,
            startTimeUnixNano: wire.startTimeUnixNano, endTimeUnixNano: wire.endTimeUnixNano,
            attributes: wire.attributes.map(Attribute.init(otlp:)), droppedAttributesCount: wire.droppedAttributesCount,
            events: wire.events.map { event in
                SpanEvent(
                    timeUnixNano: event.timeUnixNano, name: event.name, attributes: event.attributes.map(Attribute.init(otlp:)),
                    droppedAttributesCount: event.droppedAttributesCount)
            },
            droppedEventsCount: wire.droppedEventsCount,
            links: links, droppedLinksCount: wire.droppedLinksCount + UInt32(wire.links.count - links.count),
            status: SpanStatus(code: SpanStatus.Code(rawValue: wire.status.code.rawValue) ?? .unset, message: wire.status.message),
            flags: wire.flags)
        if let (reason, message) = SpanChecks.rejection(for: span) {
            return .failure(.init(reason: reason, message: message))
        }
        return .success(span)
    }

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
    init(otlp: OTLPKeyValue) {
        self.init(otlp.key, AttributeValue(otlp: otlp.value))
    }

    var otlp: OTLPKeyValue {
        var wire = OTLPKeyValue()
        wire.key = key
        wire.value = value.otlp
        return wire
    }
}

extension AttributeValue {
    init(otlp: OTLPAnyValue) {
        switch otlp.value {
        case .stringValue(let value): self = .string(value)
        case .boolValue(let value): self = .bool(value)
        case .intValue(let value): self = .int(value)
        case .doubleValue(let value): self = .double(value)
        case .arrayValue(let array): self = .array(array.values.map(AttributeValue.init(otlp:)))
        case .kvlistValue(let list): self = .map(list.values.map(Attribute.init(otlp:)))
        case .bytesValue(let bytes): self = .bytes(Array(bytes))
        case nil: self = .string("")
        }
    }

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
