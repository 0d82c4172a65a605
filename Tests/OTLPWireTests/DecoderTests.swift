import Foundation
import KeiroModel
import OTLPWire
import TestSupport
import Testing

@Suite struct DecoderTests {
    @Test func protobufRoundTripKeepsEveryField() throws {
        let span = SpanFixtures.everyField(trace: SpanFixtures.traceID(1), id: SpanFixtures.spanID(1), parent: nil, start: 1_000)
        let batch = SpanFixtures.batch(service: "svc", spans: [span])
        let decoded = try OTLPProtobufDecoder.decode(try batch.otlpRequest.serializedBytes())
        #expect(decoded.batch == batch)
        #expect(decoded.rejections.count == 0)
    }

    @Test func directEncodingWritesSwiftProtobufsBytes() throws {
        let everyField = SpanFixtures.batch(service: "svc", spans: [
            SpanFixtures.everyField(trace: SpanFixtures.traceID(1), id: SpanFixtures.spanID(1), parent: SpanFixtures.spanID(7), start: 1_000),
            Span(traceID: SpanFixtures.traceID(2), spanID: SpanFixtures.spanID(2), name: "", startTimeUnixNano: 0, endTimeUnixNano: 0),
        ])
        var traffic = SyntheticTraffic(seed: 7)
        for batch in [everyField, traffic.batch(spans: 300, startNanos: 1_700_000_000_000_000_000), SpanBatch([])] {
            #expect(batch.otlpRequestBytes == (try batch.otlpRequest.serializedBytes() as [UInt8]))
        }
    }

    @Test func protobufParentOfEightZeroBytesMeansRoot() throws {
        var request = SpanFixtures.batch(service: "s", spans: [
            Span(traceID: SpanFixtures.traceID(2), spanID: SpanFixtures.spanID(2), name: "n", startTimeUnixNano: 1, endTimeUnixNano: 2)
        ]).otlpRequest
        request.resourceSpans[0].scopeSpans[0].spans[0].parentSpanID = Data(count: 8)
        let decoded = try OTLPProtobufDecoder.decode(try request.serializedBytes())
        #expect(decoded.batch.flattened.first?.span.parentSpanID == nil)
    }

    @Test func jsonHexIDsAreReadAsHexNotBase64() throws {
        let json = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}"#
        let decoded = try OTLPJSONDecoder.decode(Data(json.utf8))
        let span = try #require(decoded.batch.flattened.first?.span)
        #expect(span.traceID.bytes.count == 16)
        #expect(span.traceID.hexString == "5b8efff798038103d269b633813fc60c")
        #expect(span.spanID.hexString == "eee19b7ec3c1b174")
    }

    @Test func jsonSixteenDigitTraceIDIsRejectedForOTLP() throws {
        let json = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"d269b633813fc60c","spanId":"eee19b7ec3c1b174"}]}]}]}"#
        let decoded = try OTLPJSONDecoder.decode(Data(json.utf8))
        #expect(decoded.batch.spanCount == 0)
        #expect(decoded.rejections.byReason == [.invalidTraceID: 1])
    }

    @Test func jsonIntegersMayBeStringsOrNumbersAndEnumsNames() throws {
        let json = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","kind":"SPAN_KIND_SERVER","startTimeUnixNano":10,"endTimeUnixNano":"20","attributes":[{"key":"n","value":{"intValue":"-7"}},{"key":"d","value":{"doubleValue":"NaN"}}]}]}]}]}"#
        let span = try #require(try OTLPJSONDecoder.decode(Data(json.utf8)).batch.flattened.first?.span)
        #expect(span.kind == .server)
        #expect(span.durationNanos == 10)
        #expect(span.attributes["n"] == .int(-7))
        if case .double(let value) = span.attributes["d"] { #expect(value.isNaN) } else { Issue.record("d is not a double") }
    }

    @Test func jsonWithWrongTypesIsUndecodableWithAPath() {
        #expect {
            try OTLPJSONDecoder.decode(Data(#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":true}]}]}]}"#.utf8))
        } throws: { error in
            "\(error)".contains("startTimeUnixNano")
        }
    }

    @Test func zipkinTimesAreMicrosecondsAndMissingTimestampIsRejected() throws {
        let json = #"[{"traceId":"463ac35c9f6413ad48485a3953bb6124","id":"a2fb4a1d1a96d312","timestamp":1700000000000001,"duration":3,"localEndpoint":{"serviceName":"a"}},{"traceId":"463ac35c9f6413ad48485a3953bb6124","id":"a2fb4a1d1a96d313"}]"#
        let decoded = try ZipkinJSONDecoder.decode(Data(json.utf8))
        let span = try #require(decoded.batch.flattened.first)
        #expect(span.resource.serviceName == "a")
        #expect(span.span.startTimeUnixNano == 1_700_000_000_000_001_000)
        #expect(span.span.durationNanos == 3_000)
        #expect(decoded.rejections.byReason == [.missingTimestamp: 1])
    }
}
