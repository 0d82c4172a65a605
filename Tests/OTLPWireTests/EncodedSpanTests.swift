import KeiroModel
import OTLPWire
import TestSupport
import Testing

/// Spans serialized one at a time (``EncodedSpan``, ``OTLPSpanEncoder``) make the same
/// bytes as the batch encoder, which is checked against SwiftProtobuf in `DecoderTests`.
@Suite struct EncodedSpanTests {
    @Test func requestFromEncodedSpansIsTheBatchEncodersBytes() {
        var traffic = SyntheticTraffic(seed: 11)
        let everyField = SpanFixtures.everyField(trace: SpanFixtures.traceID(1), id: SpanFixtures.spanID(1), parent: SpanFixtures.spanID(7), start: 1_000)
        for batch in [traffic.batch(spans: 300, startNanos: 1_700_000_000_000_000_000), SpanFixtures.batch(service: "svc", spans: [everyField])] {
            for resourceSpans in batch.resourceSpans {
                for scopeSpans in resourceSpans.scopeSpans {
                    let single = SpanBatch([ResourceSpans(resource: resourceSpans.resource, scopeSpans: [scopeSpans])])
                    let encoded = EncodedSpan.otlpRequestBytes(
                        resource: resourceSpans.resource, scope: scopeSpans.scope, spans: scopeSpans.spans.map(EncodedSpan.init))
                    #expect(encoded == single.otlpRequestBytes)
                }
            }
        }
    }

    @Test func emptyRequestStillNamesResourceAndScope() throws {
        let resource = Resource(attributes: [Attribute("service.name", .string("gateway"))])
        let bytes = EncodedSpan.otlpRequestBytes(resource: resource, scope: InstrumentationScope(name: "keiro"), spans: [])
        let expected = SpanBatch([ResourceSpans(resource: resource, scopeSpans: [ScopeSpans(scope: InstrumentationScope(name: "keiro"), spans: [])])])
        #expect(bytes == expected.otlpRequestBytes)
    }

    /// Attribute by attribute, typed or not, the encoder writes what `EncodedSpan(span)` does.
    @Test func encoderWritesTheSpansBytes() throws {
        var traffic = SyntheticTraffic(seed: 12)
        var spans = traffic.batch(spans: 200, startNanos: 1_700_000_000_000_000_000).flattened.map(\.span)
        spans.append(Span(
            traceID: SpanFixtures.traceID(3), spanID: SpanFixtures.spanID(3), parentSpanID: SpanFixtures.spanID(4), traceState: "k=v",
            name: "GET /a", kind: .client, startTimeUnixNano: 5, endTimeUnixNano: 9,
            attributes: [
                Attribute("s", .string("x")), Attribute("i", .int(-3)), Attribute("b", .bool(true)), Attribute("", .string("")),
                Attribute("a", .array([.string("1"), .int(2)])), Attribute("m", .map([Attribute("k", .double(1.5))])),
                Attribute("long", .string(String(repeating: "z", count: 300))),
            ],
            status: SpanStatus(code: .error, message: "boom"), flags: 0x301))
        for span in spans where span.events.isEmpty && span.links.isEmpty && span.droppedAttributesCount == 0 {
            var encoder = OTLPSpanEncoder(
                traceID: span.traceID, spanID: span.spanID, parentSpanID: span.parentSpanID, traceState: span.traceState,
                name: span.name, kind: span.kind, startTimeUnixNano: span.startTimeUnixNano, endTimeUnixNano: span.endTimeUnixNano)
            for attribute in span.attributes {
                switch attribute.value {
                case .string(let value): encoder.add(attribute.key, value)
                case .int(let value): encoder.add(attribute.key, value)
                case .bool(let value): encoder.add(attribute.key, value)
                default: encoder.add(attribute)
                }
            }
            #expect(encoder.finish(status: span.status, flags: span.flags) == EncodedSpan(span))
        }
        let decoded = try OTLPProtobufDecoder.decode(EncodedSpan.otlpRequestBytes(
            resource: Resource(), scope: InstrumentationScope(), spans: [EncodedSpan(spans.last!)]))
        #expect(decoded.batch.flattened.map(\.span) == [spans.last!])
    }
}
