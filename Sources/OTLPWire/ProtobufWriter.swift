import KeiroModel

/// Protobuf wire format, written into one growing byte array. Like SwiftProtobuf it writes
/// fields in field-number order, omits proto3 scalars at their default, and always writes a
/// oneof member and a sub-message that is set.
///
/// The array is kept zero-filled past what was written, so each field is written through a
/// pointer (``WireOutput``) after one capacity check for the whole field, not one per byte.
struct ProtobufWriter {
    /// Written bytes, then zeros up to the capacity in use.
    private var storage: [UInt8]
    /// Bytes written so far.
    private(set) var count = 0

    init(capacity: Int = 256) {
        storage = [UInt8](repeating: 0, count: max(capacity, 16))
    }

    /// A writer that takes over `bytes`' memory (leaving `bytes` empty) and replaces what
    /// it held: an exporter reuses one request array from batch to batch.
    init(reusing bytes: inout [UInt8], capacity: Int) {
        storage = []
        swap(&storage, &bytes)
        storage.removeAll(keepingCapacity: true)
        storage.append(contentsOf: repeatElement(0, count: max(capacity, storage.capacity, 16)))
    }

    /// The bytes written; the writer is left empty.
    mutating func takeBytes() -> [UInt8] {
        var bytes: [UInt8] = []
        swap(&bytes, &storage)
        bytes.removeLast(bytes.count - count)
        count = 0
        return bytes
    }

    /// Runs `body` with a pointer to at least `maxBytes` free bytes, and keeps what it wrote.
    @inline(__always) mutating func withReserved(_ maxBytes: Int, _ body: (inout WireOutput) -> Void) {
        reserve(maxBytes)
        let start = count
        let written = storage.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress! + start
            var output = WireOutput(base)
            body(&output)
            return output.pointer - base
        }
        precondition(written <= maxBytes, "ProtobufWriter: wrote past the reserved space")
        count += written
    }

    /// Makes room for `bytes` more bytes.
    @inline(__always) private mutating func reserve(_ bytes: Int) {
        if count + bytes > storage.count { grow(toAtLeast: count + bytes) }
    }

    private mutating func grow(toAtLeast needed: Int) {
        storage.append(contentsOf: repeatElement(0, count: max(needed, storage.count * 2) - storage.count))
    }

    /// `bytes` as they are.
    mutating func append(_ bytes: [UInt8]) {
        withReserved(bytes.count) { output in bytes.withUnsafeBytes { output.raw($0) } }
    }

    /// A length-delimited sub-message whose length is not known up front: one byte is
    /// reserved for the length and widened afterwards when the body is 128 bytes or more.
    mutating func message(_ field: UInt64, _ body: (inout ProtobufWriter) -> Void) {
        withReserved(3) { $0.tag(field, 2) }
        let lengthAt = count
        withReserved(1) { $0.byte(0) }
        body(&self)
        let length = count - lengthAt - 1
        let width = WireOutput.varintSize(UInt64(length))
        if width > 1 {
            reserve(width - 1)
            count += width - 1
            storage.withUnsafeMutableBufferPointer { buffer in
                let base = buffer.baseAddress!
                (base + lengthAt + width).update(from: base + lengthAt + 1, count: length)
            }
        }
        storage.withUnsafeMutableBufferPointer { buffer in
            var output = WireOutput(buffer.baseAddress! + lengthAt)
            output.varint(UInt64(length))
        }
    }

    /// The tag and length of a length-delimited field whose body (`length` bytes) follows.
    mutating func lengthDelimited(_ field: UInt64, length: Int) {
        withReserved(15) {
            $0.tag(field, 2)
            $0.varint(UInt64(length))
        }
    }

    /// Bytes of a length-delimited field (tag of a field below 16, length, body) with a
    /// `length`-byte body.
    static func fieldLength(_ length: Int) -> Int {
        WireOutput.fieldSize(1, length: length)
    }

    private mutating func string(_ field: UInt64, _ value: String) {
        withReserved(15 + value.utf8.count) { $0.string(field, value) }
    }

    private mutating func uint(_ field: UInt64, _ value: UInt64) {
        withReserved(15) { $0.uint(field, value) }
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
                wire.withReserved(9) { $0.fixed64(1, event.timeUnixNano) }
                wire.string(2, event.name)
                wire.attributes(3, event.attributes)
                wire.uint(4, UInt64(event.droppedAttributesCount))
            }
        }
        uint(12, UInt64(span.droppedEventsCount))
        for link in span.links {
            message(13) { wire in
                wire.withReserved(32) {
                    $0.traceID(1, link.traceID)
                    $0.spanID(2, link.spanID)
                }
                wire.string(3, link.traceState)
                wire.attributes(4, link.attributes)
                wire.uint(5, UInt64(link.droppedAttributesCount))
                wire.withReserved(5) { $0.fixed32(6, link.flags) }
            }
        }
        uint(14, UInt64(span.droppedLinksCount))
        spanTrailer(status: span.status, flags: span.flags)
    }

    /// `Span` fields 1–8, the ones before the attributes.
    mutating func spanHeader(
        traceID: TraceID, spanID: SpanID, traceState: String, parent: SpanID?, name: String, kind: SpanKind, start: UInt64, end: UInt64
    ) {
        withReserved(100 + traceState.utf8.count + name.utf8.count) { output in
            output.traceID(1, traceID)
            output.spanID(2, spanID)
            output.string(3, traceState)
            if let parent { output.spanID(4, parent) }
            output.string(5, name)
            output.uint(6, UInt64(kind.rawValue))
            output.fixed64(7, start)
            output.fixed64(8, end)
        }
    }

    /// `Span` fields 15 (status) and 16 (flags), the last ones.
    mutating func spanTrailer(status: SpanStatus, flags: UInt32) {
        let messageLength = status.message.utf8.count
        let code = UInt64(status.code.rawValue)
        let statusLength = (messageLength == 0 ? 0 : WireOutput.fieldSize(2, length: messageLength)) + (code == 0 ? 0 : 2)
        withReserved(WireOutput.fieldSize(15, length: statusLength) + 6) { output in
            output.tag(15, 2)
            output.varint(UInt64(statusLength))
            output.string(2, status.message)
            output.uint(3, code)
            output.fixed32(16, flags)
        }
    }

    private mutating func attributes(_ field: UInt64, _ attributes: [Attribute]) {
        for attribute in attributes { keyValue(field, attribute.key, attribute.value) }
    }

    /// One `KeyValue` message as field `field`, its lengths computed up front (once).
    mutating func keyValue(_ field: UInt64, _ key: String, _ value: AttributeValue) {
        let lengths = WireOutput.KeyValueLengths(key: key, value: value)
        withReserved(lengths.fieldSize(field)) { $0.keyValue(field, key, value, lengths) }
    }
}
