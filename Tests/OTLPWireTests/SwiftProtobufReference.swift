import Foundation
import KeiroModel
@testable import OTLPWire
import SwiftProtobuf

/// The oracle for `OTLPProtobufDecoder`: SwiftProtobuf parses the body into its message
/// tree, and the tree is converted field by field into Keiro's model with the collector's
/// acceptance rules. The direct decoder must give the same spans and rejections, and
/// refuse the same bodies.
enum SwiftProtobufReference {
    static func decode(_ body: [UInt8]) throws -> DecodedSpans {
        let request = try OTLPExportRequest(serializedBytes: body)
        var decoded = DecodedSpans()
        for resourceSpans in request.resourceSpans {
            var scopes: [ScopeSpans] = []
            for scopeSpans in resourceSpans.scopeSpans {
                var spans: [Span] = []
                for (index, wire) in scopeSpans.spans.enumerated() {
                    switch span(wire, index: index) {
                    case .success(let span): spans.append(span)
                    case .failure(let rejection): decoded.rejections.record(rejection.reason, rejection.message)
                    }
                }
                guard !spans.isEmpty else { continue }
                let scope = scopeSpans.scope
                scopes.append(
                    ScopeSpans(
                        scope: InstrumentationScope(
                            name: scope.name, version: scope.version, attributes: scope.attributes.map(attribute),
                            droppedAttributesCount: scope.droppedAttributesCount),
                        spans: spans))
            }
            guard !scopes.isEmpty else { continue }
            let resource = Resource(
                attributes: resourceSpans.resource.attributes.map(attribute), droppedAttributesCount: resourceSpans.resource.droppedAttributesCount)
            decoded.batch.resourceSpans.append(ResourceSpans(resource: resource, scopeSpans: scopes))
        }
        return decoded
    }

    struct Rejection: Error {
        var reason: RejectionReason
        var message: String
    }

    private static func span(_ wire: OTLPSpan, index: Int) -> Result<Span, Rejection> {
        guard let traceID = TraceID(bytes: wire.traceID), traceID.isValid else {
            return .failure(Rejection(reason: .invalidTraceID, message: "span #\(index): trace_id has \(wire.traceID.count) bytes or is all zero; want 16 non-zero bytes"))
        }
        guard let spanID = SpanID(bytes: wire.spanID), spanID.isValid else {
            return .failure(Rejection(reason: .invalidSpanID, message: "span #\(index): span_id has \(wire.spanID.count) bytes or is all zero; want 8 non-zero bytes"))
        }
        var parent: SpanID?
        if !wire.parentSpanID.isEmpty {
            guard let id = SpanID(bytes: wire.parentSpanID) else {
                return .failure(Rejection(reason: .invalidParentSpanID, message: "span #\(index): parent_span_id has \(wire.parentSpanID.count) bytes; want 0 or 8"))
            }
            parent = id.isValid ? id : nil
        }
        let links = wire.links.compactMap { link -> SpanLink? in
            guard let linkTrace = TraceID(bytes: link.traceID), let linkSpan = SpanID(bytes: link.spanID) else { return nil }
            return SpanLink(
                traceID: linkTrace, spanID: linkSpan, traceState: link.traceState, attributes: link.attributes.map(attribute),
                droppedAttributesCount: link.droppedAttributesCount, flags: link.flags)
        }
        let (droppedLinks, overflow) = wire.droppedLinksCount.addingReportingOverflow(UInt32(wire.links.count - links.count))
        let span = Span(
            traceID: traceID, spanID: spanID, parentSpanID: parent, traceState: wire.traceState, name: wire.name,
            kind: SpanKind(rawValue: wire.kind.rawValue) ?? .unspecified,
            startTimeUnixNano: wire.startTimeUnixNano, endTimeUnixNano: wire.endTimeUnixNano,
            attributes: wire.attributes.map(attribute), droppedAttributesCount: wire.droppedAttributesCount,
            events: wire.events.map { event in
                SpanEvent(
                    timeUnixNano: event.timeUnixNano, name: event.name, attributes: event.attributes.map(attribute),
                    droppedAttributesCount: event.droppedAttributesCount)
            },
            droppedEventsCount: wire.droppedEventsCount,
            links: links, droppedLinksCount: overflow ? .max : droppedLinks,
            status: SpanStatus(code: SpanStatus.Code(rawValue: wire.status.code.rawValue) ?? .unset, message: wire.status.message),
            flags: wire.flags)
        // The wire-independent checks are the collector's own (`SpanChecks`), shared by every decoder.
        if let (reason, message) = SpanChecks.rejection(for: span) { return .failure(Rejection(reason: reason, message: message)) }
        return .success(span)
    }

    private static func attribute(_ wire: OTLPKeyValue) -> Attribute {
        Attribute(wire.key, value(wire.value))
    }

    private static func value(_ wire: OTLPAnyValue) -> AttributeValue {
        switch wire.value {
        case .stringValue(let value): .string(value)
        case .boolValue(let value): .bool(value)
        case .intValue(let value): .int(value)
        case .doubleValue(let value): .double(value)
        case .arrayValue(let array): .array(array.values.map(value))
        case .kvlistValue(let list): .map(list.values.map(attribute))
        case .bytesValue(let bytes): .bytes(Array(bytes))
        case nil: .string("")
        }
    }
}
