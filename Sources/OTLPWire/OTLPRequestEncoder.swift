import KeiroModel

extension SpanBatch {
    /// This batch as a serialized OTLP `ExportTraceServiceRequest`, written straight from
    /// the model: the same bytes as `otlpRequest.serializedBytes()` without building the
    /// SwiftProtobuf messages first (that path was the largest part of what tracing costs a
    /// proxy). Field numbers: `schemas/proto/opentelemetry/proto/…`.
    public var otlpRequestBytes: [UInt8] {
        var writer = ProtobufWriter()
        writer.bytes.reserveCapacity(spanCount * 512 + 256)
        for resourceSpans in resourceSpans {
            writer.message(1) { $0.resourceSpans(resourceSpans) }
        }
        return writer.bytes
    }
}

/// Protobuf wire format, appended to one byte array. Like SwiftProtobuf it writes fields in
/// field-number order, omits proto3 scalars at their default, and always writes a oneof
/// member and a sub-message that is set.
struct ProtobufWriter {
    var bytes: [UInt8] = []

    private mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    private mutating func tag(_ field: UInt64, _ wireType: UInt64) { varint(field << 3 | wireType) }

    private mutating func littleEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private mutating func bigEndian(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// A length-delimited sub-message: one byte is reserved for the length and widened
    /// afterwards when the body is 128 bytes or more.
    mutating func message(_ field: UInt64, _ body: (inout ProtobufWriter) -> Void) {
        tag(field, 2)
        let lengthAt = bytes.count
        bytes.append(0)
        body(&self)
        var length = bytes.count - lengthAt - 1
        var width = 1
        while length >> (7 * width) != 0 { width += 1 }
        if width > 1 { bytes.insert(contentsOf: repeatElement(0, count: width - 1), at: lengthAt + 1) }
        for index in lengthAt..<(lengthAt + width) {
            bytes[index] = UInt8(truncatingIfNeeded: length) | (index < lengthAt + width - 1 ? 0x80 : 0)
            length >>= 7
        }
    }

    /// The tag and length of a length-delimited field whose body (`length` bytes) follows.
    mutating func lengthDelimited(_ field: UInt64, length: Int) {
        tag(field, 2)
        varint(UInt64(length))
    }

    /// Bytes of a length-delimited field (tag of a field below 16, length, body) with a
    /// `length`-byte body.
    static func fieldLength(_ length: Int) -> Int {
        1 + varintSize(UInt64(length)) + length
    }

    private mutating func string(_ field: UInt64, _ value: String, always: Bool = false) {
        guard always || !value.isEmpty else { return }
        tag(field, 2)
        varint(UInt64(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }

    private mutating func uint(_ field: UInt64, _ value: UInt64) {
        guard value != 0 else { return }
        tag(field, 0)
        varint(value)
    }

    private mutating func fixed64(_ field: UInt64, _ value: UInt64) {
        guard value != 0 else { return }
        tag(field, 1)
        littleEndian(value)
    }

    private mutating func fixed32(_ field: UInt64, _ value: UInt32) {
        guard value != 0 else { return }
        tag(field, 5)
        littleEndian(value)
    }

    private mutating func traceID(_ field: UInt64, _ id: TraceID) {
        tag(field, 2)
        varint(16)
        bigEndian(id.high)
        bigEndian(id.low)
    }

    private mutating func spanID(_ field: UInt64, _ id: SpanID) {
        tag(field, 2)
        varint(8)
        bigEndian(id.value)
    }

    // MARK: Messages (opentelemetry.proto.*)

    mutating func resourceSpans(_ resourceSpans: ResourceSpans) {
        message(1) { $0.resource(resourceSpans.resource) }
        for scopeSpans in resourceSpans.scopeSpans {
            message(2) { $0.scopeSpans(scopeSpans) }
        }
    }

    private mutating func scopeSpans(_ scopeSpans: ScopeSpans) {
        message(1) { $0.scope(scopeSpans.scope) }
        for span in scopeSpans.spans {
            message(2) { $0.span(span) }
        }
    }

    /// A `Resource` message's fields.
    mutating func resource(_ resource: Resource) {
        attributes(1, resource.attributes)
        uint(2, UInt64(resource.droppedAttributesCount))
    }

    /// An `InstrumentationScope` message's fields.
    mutating func scope(_ scope: InstrumentationScope) {
        string(1, scope.name)
        string(2, scope.version)
        attributes(3, scope.attributes)
        uint(4, UInt64(scope.droppedAttributesCount))
    }

    mutating func span(_ span: Span) {
        spanHeader(
            traceID: span.traceID, spanID: span.spanID, traceState: span.traceState, parent: span.parentSpanID,
            name: span.name, kind: span.kind, start: span.startTimeUnixNano, end: span.endTimeUnixNano)
        attributes(9, span.attributes)
        uint(10, UInt64(span.droppedAttributesCount))
        for event in span.events {
            message(11) { wire in
                wire.fixed64(1, event.timeUnixNano)
                wire.string(2, event.name)
                wire.attributes(3, event.attributes)
                wire.uint(4, UInt64(event.droppedAttributesCount))
            }
        }
        uint(12, UInt64(span.droppedEventsCount))
        for link in span.links {
            message(13) { wire in
                wire.traceID(1, link.traceID)
                wire.spanID(2, link.spanID)
                wire.string(3, link.traceState)
                wire.attributes(4, link.attributes)
                wire.uint(5, UInt64(link.droppedAttributesCount))
                wire.fixed32(6, link.flags)
            }
        }
        uint(14, UInt64(span.droppedLinksCount))
        spanTrailer(status: span.status, flags: span.flags)
    }

    /// `Span` fields 1–8, the ones before the attributes.
    mutating func spanHeader(
        traceID: TraceID, spanID: SpanID, traceState: String, parent: SpanID?, name: String, kind: SpanKind, start: UInt64, end: UInt64
    ) {
        self.traceID(1, traceID)
        self.spanID(2, spanID)
        string(3, traceState)
        if let parent { self.spanID(4, parent) }
        string(5, name)
        uint(6, UInt64(kind.rawValue))
        fixed64(7, start)
        fixed64(8, end)
    }

    /// `Span` fields 15 (status) and 16 (flags), the last ones.
    mutating func spanTrailer(status: SpanStatus, flags: UInt32) {
        message(15) { wire in
            wire.string(2, status.message)
            wire.uint(3, UInt64(status.code.rawValue))
        }
        fixed32(16, flags)
    }

    /// `KeyValue` messages. A scalar value's sizes are known up front, so its two message
    /// lengths are written directly (nearly every span attribute; no length fix-up).
    private mutating func attributes(_ field: UInt64, _ attributes: [Attribute]) {
        for attribute in attributes { keyValue(field, attribute.key, attribute.value) }
    }

    /// One `KeyValue` message as field `field`.
    mutating func keyValue(_ field: UInt64, _ key: String, _ value: AttributeValue) {
        guard let valueLength = Self.scalarLength(value) else {
            message(field) { keyValue in
                keyValue.string(1, key)
                keyValue.message(2) { $0.anyValue(value) }
            }
            return
        }
        let keyLength = key.utf8.count
        let keyField = keyLength == 0 ? 0 : 1 + Self.varintSize(UInt64(keyLength)) + keyLength
        tag(field, 2)
        varint(UInt64(keyField + 1 + Self.varintSize(UInt64(valueLength)) + valueLength))
        string(1, key)
        tag(2, 2)
        varint(UInt64(valueLength))
        anyValue(value)
    }

    /// The encoded size of a scalar `AnyValue`'s body; nil for an array or a map.
    private static func scalarLength(_ value: AttributeValue) -> Int? {
        switch value {
        case .string(let string):
            let count = string.utf8.count
            return 1 + varintSize(UInt64(count)) + count
        case .bool: return 2
        case .int(let int): return 1 + varintSize(UInt64(bitPattern: int))
        case .double: return 9
        case .bytes(let data): return 1 + varintSize(UInt64(data.count)) + data.count
        case .array, .map: return nil
        }
    }

    /// Bytes of `value` as a varint.
    private static func varintSize(_ value: UInt64) -> Int {
        var size = 1
        var value = value >> 7
        while value != 0 {
            size += 1
            value >>= 7
        }
        return size
    }

    private mutating func anyValue(_ value: AttributeValue) {
        switch value {
        case .string(let string):
            self.string(1, string, always: true)
        case .bool(let bool):
            tag(2, 0)
            varint(bool ? 1 : 0)
        case .int(let int):
            tag(3, 0)
            varint(UInt64(bitPattern: int))
        case .double(let double):
            tag(4, 1)
            littleEndian(double.bitPattern)
        case .array(let values):
            message(5) { array in
                for value in values { array.message(1) { $0.anyValue(value) } }
            }
        case .map(let entries):
            message(6) { list in
                list.attributes(1, entries)
            }
        case .bytes(let data):
            tag(7, 2)
            varint(UInt64(data.count))
            bytes.append(contentsOf: data)
        }
    }
}
