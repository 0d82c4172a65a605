import Foundation
import KeiroModel

/// Decodes an OTLP/JSON `ExportTraceServiceRequest` body into Keiro spans.
public enum OTLPJSONDecoder {
    public static func decode(_ body: Data) throws(WireDecodingError) -> DecodedSpans {
        let request: OTLPJSON.ExportRequest
        do {
            request = try JSONDecoder().decode(OTLPJSON.ExportRequest.self, from: body)
        } catch {
            throw WireDecodingError("invalid OTLP/JSON body: \(describe(error))")
        }
        var decoded = DecodedSpans()
        for resourceSpans in request.resourceSpans ?? [] {
            let resource = Resource(
                attributes: attributes(resourceSpans.resource?.attributes),
                droppedAttributesCount: resourceSpans.resource?.droppedAttributesCount?.value ?? 0)
            var scopes: [ScopeSpans] = []
            for scopeSpans in resourceSpans.scopeSpans ?? [] {
                let scope = InstrumentationScope(
                    name: scopeSpans.scope?.name ?? "", version: scopeSpans.scope?.version ?? "",
                    attributes: attributes(scopeSpans.scope?.attributes),
                    droppedAttributesCount: scopeSpans.scope?.droppedAttributesCount?.value ?? 0)
                var spans: [KeiroModel.Span] = []
                for (index, wire) in (scopeSpans.spans ?? []).enumerated() {
                    switch span(wire, index: index) {
                    case .success(let span): spans.append(span)
                    case .failure(let rejection): decoded.rejections.record(rejection.reason, rejection.message)
                    }
                }
                if !spans.isEmpty { scopes.append(ScopeSpans(scope: scope, spans: spans)) }
            }
            if !scopes.isEmpty { decoded.batch.resourceSpans.append(ResourceSpans(resource: resource, scopeSpans: scopes)) }
        }
        return decoded
    }

    private static func span(_ wire: OTLPJSON.Span, index: Int) -> Result<KeiroModel.Span, SpanRejection> {
        let ids: HexSpanIDs
        switch HexSpanIDs.read(
            trace: wire.traceId, span: wire.spanId, parent: wire.parentSpanId,
            fields: ("traceId", "spanId", "parentSpanId"), traceDigits: [32], index: index)
        {
        case .success(let read): ids = read
        case .failure(let rejection): return .failure(rejection)
        }
        // A link with an unreadable id is dropped and counted, not a reason to refuse the span.
        let links = (wire.links ?? []).compactMap { link -> SpanLink? in
            guard let linkTrace = link.traceId.flatMap({ TraceID(hex: $0) }), let linkSpan = link.spanId.flatMap({ SpanID(hex: $0) })
            else { return nil }
            return SpanLink(
                traceID: linkTrace, spanID: linkSpan, traceState: link.traceState ?? "", attributes: attributes(link.attributes),
                droppedAttributesCount: link.droppedAttributesCount?.value ?? 0, flags: link.flags?.value ?? 0)
        }
        let span = KeiroModel.Span(
            traceID: ids.traceID, spanID: ids.spanID, parentSpanID: ids.parent, traceState: wire.traceState ?? "",
            name: wire.name ?? "", kind: SpanKind(rawValue: wire.kind?.value ?? 0) ?? .unspecified,
            startTimeUnixNano: wire.startTimeUnixNano?.value ?? 0, endTimeUnixNano: wire.endTimeUnixNano?.value ?? 0,
            attributes: attributes(wire.attributes),
            droppedAttributesCount: wire.droppedAttributesCount?.value ?? 0,
            events: (wire.events ?? []).map { event in
                SpanEvent(
                    timeUnixNano: event.timeUnixNano?.value ?? 0, name: event.name ?? "", attributes: attributes(event.attributes),
                    droppedAttributesCount: event.droppedAttributesCount?.value ?? 0)
            },
            droppedEventsCount: wire.droppedEventsCount?.value ?? 0,
            links: links,
            droppedLinksCount: (wire.droppedLinksCount?.value ?? 0) + UInt32(clamping: (wire.links?.count ?? 0) - links.count),
            status: SpanStatus(
                code: SpanStatus.Code(rawValue: wire.status?.code?.value ?? 0) ?? .unset, message: wire.status?.message ?? ""),
            flags: wire.flags?.value ?? 0)
        if let (reason, message) = SpanChecks.rejection(for: span) {
            return .failure(SpanRejection(reason: reason, message: message))
        }
        return .success(span)
    }

    private static func attributes(_ wire: [OTLPJSON.KeyValue]?) -> [Attribute] {
        (wire ?? []).compactMap { keyValue in
            guard let key = keyValue.key else { return nil }
            return Attribute(key, value(keyValue.value))
        }
    }

    private static func value(_ wire: OTLPJSON.AnyValue?) -> AttributeValue {
        guard let wire else { return .string("") }
        if let string = wire.stringValue { return .string(string) }
        if let bool = wire.boolValue { return .bool(bool) }
        if let int = wire.intValue { return .int(int.value) }
        if let double = wire.doubleValue { return .double(double.value) }
        if let array = wire.arrayValue { return .array((array.values ?? []).map { value($0) }) }
        if let map = wire.kvlistValue { return .map(attributes(map.values)) }
        if let base64 = wire.bytesValue { return .bytes(Array(Data(base64Encoded: base64) ?? Data())) }
        return .string("")
    }

    static func describe(_ error: any Error) -> String {
        guard let decodingError = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return path.isEmpty ? "" : " at \(path)"
        }
        switch decodingError {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
            return context.debugDescription + path(context)
        @unknown default:
            return "\(decodingError)"
        }
    }
}
