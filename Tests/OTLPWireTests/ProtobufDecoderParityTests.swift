import KeiroModel
import OTLPWire
import TestSupport
import Testing

/// `OTLPProtobufDecoder` reads bodies straight into the model; SwiftProtobuf's parser
/// followed by a field-by-field conversion (`SwiftProtobufReference`) is the oracle.
@Suite struct ProtobufDecoderParityTests {
    private enum Outcome {
        case decoded(DecodedSpans)
        case refused(String)
    }

    /// Decodes `body` both ways; records a difference. Returns whether the body was refused.
    @discardableResult
    private func expectParity(_ body: [UInt8], _ label: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let reference: Outcome
        do { reference = .decoded(try SwiftProtobufReference.decode(body)) } catch { reference = .refused("\(error)") }
        let direct: Outcome
        do { direct = .decoded(try OTLPProtobufDecoder.decode(body)) } catch { direct = .refused(error.message) }
        switch (reference, direct) {
        case (.decoded(let expected), .decoded(let actual)):
            if actual.batch != expected.batch {
                // Name the first span that differs rather than print both batches whole.
                let pairs = zip(actual.batch.flattened, expected.batch.flattened)
                let first = pairs.first { $0.0.span != $0.1.span || $0.0.resource != $0.1.resource || $0.0.scope != $0.1.scope }
                Issue.record(
                    "\(label): spans differ (\(actual.batch.spanCount) vs \(expected.batch.spanCount)); first: \(first.map { "\($0.0)\nwant \($0.1)" } ?? "-")",
                    sourceLocation: sourceLocation)
            }
            #expect(actual.rejections == expected.rejections, "\(label): rejections differ", sourceLocation: sourceLocation)
            return false
        case (.refused, .refused): return true
        case (.decoded, .refused(let message)):
            Issue.record("\(label): SwiftProtobuf decodes it, the direct decoder refuses it: \(message)", sourceLocation: sourceLocation)
        case (.refused(let message), .decoded):
            Issue.record("\(label): the direct decoder decodes it, SwiftProtobuf refuses it: \(message)", sourceLocation: sourceLocation)
        }
        return false
    }

    @Test func generatedBodiesDecodeAsSwiftProtobufDecodesThem() {
        var bodies = ProtobufBodies(seed: 11)
        var spans = 0
        var rejected = 0
        for index in 0..<400 {
            let body = bodies.next()
            expectParity(body, "body \(index)")
            if let decoded = try? OTLPProtobufDecoder.decode(body) {
                spans += decoded.batch.spanCount
                rejected += decoded.rejections.count
            }
        }
        // The generator reaches both accepted and refused spans.
        #expect(spans > 2_000)
        #expect(rejected > 200)
    }

    @Test func damagedBodiesAreRefusedOrReadAsSwiftProtobufReadsThem() {
        var bodies = ProtobufBodies(seed: 12)
        var random = SplitMix64(seed: 13)
        var refused = 0
        var read = 0
        for index in 0..<600 {
            var body = bodies.next()
            guard !body.isEmpty else { continue }
            if index % 2 == 0 {
                body.removeLast(Int.random(in: 1...body.count, using: &random))
            } else {
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    body[Int.random(in: 0..<body.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            }
            if expectParity(body, "damaged body \(index)") { refused += 1 } else { read += 1 }
        }
        #expect(refused > 100)
        #expect(read > 50)
    }

    @Test func thousandsOfDistinctLongStringsOutgrowTheInternTableAndStayRight() {
        var span = Span(traceID: SpanFixtures.traceID(1), spanID: SpanFixtures.spanID(1), name: "many attributes", startTimeUnixNano: 1, endTimeUnixNano: 2)
        span.attributes = (0..<6_000).map { Attribute("attribute.number.\($0)", .string(String(repeating: "v", count: 16 + $0 % 90))) }
        let body = (try? SpanFixtures.batch(service: "a-service-with-a-long-name", spans: [span, span]).otlpRequest.serializedBytes()) ?? []
        expectParity(body, "6,000 attributes")
        #expect((try? OTLPProtobufDecoder.decode(body))?.batch.flattened.last?.span.attributes.count == 6_000)
    }

    @Test func valuesNestedTooDeepAreRefusedWithoutExhaustingTheStack() {
        var value = Wire.tag(1, 2) + [0]  // AnyValue { string_value: "" }
        for _ in 0..<20_000 { value = Wire.field(5, Wire.field(1, value)) }  // array_value { values: [value] }
        let span = Wire.field(1, [UInt8](repeating: 1, count: 16)) + Wire.field(2, [UInt8](repeating: 1, count: 8))
            + Wire.field(9, Wire.field(1, Array("k".utf8)) + Wire.field(2, value))
        let body = Wire.field(1, Wire.field(2, Wire.field(2, span)))
        #expect {
            try OTLPProtobufDecoder.decode(body)
        } throws: { error in
            "\(error)".contains("nested more than 100")
        }
    }

    @Test func deeplyNestedUnknownGroupsAreSkippedWithoutRecursion() throws {
        let depth = 200_000
        var groups: [UInt8] = []
        for level in 0..<depth { groups += Wire.tag(UInt64(200 + level % 7), 3) }
        for level in (0..<depth).reversed() { groups += Wire.tag(UInt64(200 + level % 7), 4) }
        let decoded = try OTLPProtobufDecoder.decode(groups + Wire.field(1, []))
        #expect(decoded.batch.spanCount == 0)
        #expect(throws: WireDecodingError.self) { try OTLPProtobufDecoder.decode(Array(groups.dropLast())) }
    }
}
