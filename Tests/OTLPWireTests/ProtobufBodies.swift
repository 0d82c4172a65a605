import Foundation
import KeiroModel
import OTLPWire
import SwiftProtobuf

/// Raw protobuf pieces, to write what SwiftProtobuf's serializer never does: a field
/// repeated, fields out of order, unknown fields and groups, a known field with the wrong
/// wire type.
enum Wire {
    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
        return bytes
    }

    static func tag(_ field: UInt64, _ wireType: UInt64) -> [UInt8] { varint(field << 3 | wireType) }

    /// A length-delimited field.
    static func field(_ number: UInt64, _ body: [UInt8]) -> [UInt8] { tag(number, 2) + varint(UInt64(body.count)) + body }

    static func message(_ number: UInt64, _ message: some SwiftProtobuf.Message) -> [UInt8] {
        field(number, (try? message.serializedBytes()) ?? [])
    }
}

/// Random OTLP export request bodies over every field the decoder reads, with the odd
/// shapes a hand-written encoder (or a hostile sender) may produce.
struct ProtobufBodies {
    private var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    private mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }
    private mutating func count(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    private mutating func bytes(_ count: Int) -> Data { Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }) }

    /// Keys and values short enough to live inline in a `String` and long enough to be
    /// interned, some repeated across spans, with non-ASCII text.
    private static let keys = [
        "http.request.method", "http.route", "url.path", "service-router-checkout", "a", "k", "keiro.retry.reason",
        "http.response.status_code", "ключ.длинный.атрибут", "x-request-id",
    ]
    private static let texts = ["GET", "/api/orders/{id}", "", "ok", "canary-v2-subset-of-checkout", "日本語のテキストです", "x"]

    private mutating func text() -> String {
        if chance(70) { return Self.texts[count(0...(Self.texts.count - 1))] }
        return String((0..<count(0...40)).map { _ in Character(UnicodeScalar(UInt8.random(in: 32...126, using: &random))) })
    }

    private mutating func key() -> String { chance(85) ? Self.keys[count(0...(Self.keys.count - 1))] : text() }

    private mutating func anyValue(depth: Int) -> OTLPAnyValue {
        var value = OTLPAnyValue()
        switch count(0...(depth < 3 ? 8 : 5)) {
        case 0: value.stringValue = text()
        case 1: value.boolValue = chance(50)
        case 2: value.intValue = Int64.random(in: .min ... .max, using: &random)
        case 3: value.doubleValue = chance(20) ? -0.0 : Double.random(in: -1e12...1e12, using: &random)
        case 4: value.bytesValue = bytes(count(0...12))
        case 5: break  // an AnyValue with no value: an empty string
        case 6: value.arrayValue.values = (0..<count(0...3)).map { _ in anyValue(depth: depth + 1) }
        case 7: value.kvlistValue.values = (0..<count(0...3)).map { _ in keyValue(depth: depth + 1) }
        default: value.stringValue = text()
        }
        return value
    }

    private mutating func keyValue(depth: Int = 0) -> OTLPKeyValue {
        var keyValue = OTLPKeyValue()
        keyValue.key = key()
        if chance(95) { keyValue.value = anyValue(depth: depth) }
        return keyValue
    }

    /// A key/value whose value is sent twice: scalars replace, arrays and lists merge.
    private mutating func mergedKeyValue() -> [UInt8] {
        let first = keyValue()
        var second = OTLPKeyValue()
        second.value = anyValue(depth: 1)
        return Wire.field(9, ((try? first.serializedBytes()) ?? []) + ((try? second.serializedBytes()) ?? []))
    }

    private mutating func id(_ length: Int) -> Data {
        switch count(0...19) {
        case 0: Data()
        case 1: Data(count: length)
        case 2: bytes(length - 1)
        case 3: bytes(length + 1)
        default: bytes(length)
        }
    }

    private mutating func span() -> OTLPSpan {
        var span = OTLPSpan()
        span.traceID = id(16)
        span.spanID = id(8)
        switch count(0...5) {
        case 0: span.parentSpanID = Data(count: 8)
        case 1: span.parentSpanID = bytes(3)
        case 2, 3: span.parentSpanID = bytes(8)
        default: break
        }
        if chance(20) { span.traceState = "vendor=\(text())" }
        span.name = text()
        span.kind = OTLPSpan.SpanKind(rawValue: [0, 1, 2, 3, 4, 5, 9, -1][count(0...7)])!
        span.startTimeUnixNano = UInt64.random(in: 1...UInt64(Int64.max), using: &random)
        span.endTimeUnixNano =
            chance(10) ? UInt64.random(in: 0...UInt64.max, using: &random) : span.startTimeUnixNano &+ UInt64(count(0...1_000_000))
        span.attributes = (0..<count(0...16)).map { _ in keyValue() }
        if chance(10) { span.droppedAttributesCount = chance(50) ? .max : UInt32(count(1...9)) }
        for _ in 0..<(chance(20) ? count(1...2) : 0) {
            var event = OTLPSpan.Event()
            event.timeUnixNano = span.startTimeUnixNano
            event.name = text()
            event.attributes = (0..<count(0...3)).map { _ in keyValue() }
            event.droppedAttributesCount = UInt32(count(0...2))
            span.events.append(event)
        }
        if chance(10) { span.droppedEventsCount = UInt32(count(1...5)) }
        for _ in 0..<(chance(20) ? count(1...2) : 0) {
            var link = OTLPSpan.Link()
            link.traceID = id(16)
            link.spanID = id(8)
            link.traceState = chance(30) ? text() : ""
            link.attributes = (0..<count(0...2)).map { _ in keyValue() }
            link.flags = UInt32(count(0...0x301))
            span.links.append(link)
        }
        if chance(10) { span.droppedLinksCount = chance(50) ? .max : UInt32(count(1...3)) }
        if chance(40) {
            span.status.code = Opentelemetry_Proto_Trace_V1_Status.StatusCode(rawValue: [0, 1, 2, 7][count(0...3)])!
            span.status.message = text()
        }
        span.flags = chance(50) ? 0x101 : UInt32(count(0...0x3ff))
        return span
    }

    /// Fields no OTLP message declares, a group with a group inside among them.
    private mutating func unknownFields() -> [UInt8] {
        var fields: [UInt8] = []
        if chance(50) { fields += Wire.tag(100, 0) + Wire.varint(UInt64.random(in: 0 ... .max, using: &random)) }
        if chance(50) { fields += Wire.tag(101, 5) + [1, 2, 3, 4] }
        if chance(50) { fields += Wire.tag(102, 1) + [1, 2, 3, 4, 5, 6, 7, 8] }
        if chance(50) { fields += Wire.field(103, Array(bytes(count(0...9)))) }
        if chance(50) { fields += Wire.tag(104, 3) + Wire.tag(105, 3) + Wire.tag(1, 0) + [7] + Wire.tag(105, 4) + Wire.tag(104, 4) }
        return fields
    }

    /// One span's bytes: serialized, then perhaps a second span message merged into it,
    /// extra attributes written by hand, unknown fields and a known field of the wrong type.
    private mutating func spanBytes() -> [UInt8] {
        var bytes: [UInt8] = (try? span().serializedBytes()) ?? []
        if chance(15) {
            var patch = OTLPSpan()
            if chance(50) { patch.name = text() }
            if chance(50) { patch.status.message = text() }
            if chance(50) { patch.kind = .client }
            patch.attributes = (0..<count(0...2)).map { _ in keyValue() }
            bytes += (try? patch.serializedBytes()) ?? []
        }
        if chance(15) { bytes += mergedKeyValue() }
        if chance(15) { bytes = unknownFields() + bytes + unknownFields() }
        if chance(5) { bytes += Wire.tag(5, 0) + [42] }  // name as a varint: skipped as unknown
        return bytes
    }

    private mutating func resource() -> [UInt8] {
        var resource = Opentelemetry_Proto_Resource_V1_Resource()
        var service = OTLPKeyValue()
        service.key = "service.name"
        service.value.stringValue = chance(50) ? "checkout-service-canary" : "bff"
        resource.attributes = [service] + (0..<count(0...4)).map { _ in keyValue() }
        resource.droppedAttributesCount = UInt32(count(0...2))
        var bytes = Wire.message(1, resource)
        if chance(10) { bytes += Wire.message(1, resource) }  // merged: attributes twice
        return bytes
    }

    private mutating func scopeSpans() -> [UInt8] {
        var scope = Opentelemetry_Proto_Common_V1_InstrumentationScope()
        scope.name = chance(50) ? "io.opentelemetry.contrib.keiro-proxy" : text()
        scope.version = text()
        scope.attributes = (0..<count(0...2)).map { _ in keyValue() }
        scope.droppedAttributesCount = UInt32(count(0...1))
        var fields: [[UInt8]] = (0..<count(0...8)).map { _ in Wire.field(2, spanBytes()) }
        fields.insert(Wire.message(1, scope), at: count(0...fields.count))
        if chance(10) { fields.append(Wire.field(3, Array("https://opentelemetry.io/schemas/1.26.0".utf8))) }
        return fields.flatMap { $0 }
    }

    /// The next body.
    mutating func next() -> [UInt8] {
        var body: [UInt8] = []
        for _ in 0..<count(1...3) {
            var fields: [[UInt8]] = (0..<count(0...3)).map { _ in Wire.field(2, scopeSpans()) }
            fields.insert(resource(), at: count(0...fields.count))
            body += Wire.field(1, fields.flatMap { $0 })
        }
        if chance(10) { body += unknownFields() }
        return body
    }
}
