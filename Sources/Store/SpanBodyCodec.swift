import KeiroModel

/// The binary layout of what is read back whole but never searched by: a span's attributes,
/// events, links and the rest (inside a chunk, see `ChunkCodec`), and the `resources.body`
/// column (versioned by its first byte). Compact: varints, no field names.
enum SpanBodyCodec {
    static let version: UInt8 = 1

    private enum ValueTag: UInt8 {
        case string = 0, boolFalse, boolTrue, int, double, array, map, bytes
    }

    // MARK: Span body

    /// Writes the fields of a span that are not columns of their own (attributes, events,
    /// links, status message, trace state, flags). The caller's container carries the version.
    static func writeSpanBody(_ span: Span, into writer: inout ByteWriter) {
        writeAttributes(span.attributes, dropped: span.droppedAttributesCount, into: &writer)
        writer.varint(UInt64(span.events.count))
        for event in span.events {
            writer.signedVarint(Int64(bitPattern: event.timeUnixNano &- span.startTimeUnixNano))
            writer.string(event.name)
            writeAttributes(event.attributes, dropped: event.droppedAttributesCount, into: &writer)
        }
        writer.varint(UInt64(span.droppedEventsCount))
        writer.varint(UInt64(span.links.count))
        for link in span.links {
            writer.raw(link.traceID.bytes)
            writer.fixed64(link.spanID.value)
            writer.string(link.traceState)
            writeAttributes(link.attributes, dropped: link.droppedAttributesCount, into: &writer)
            writer.varint(UInt64(link.flags))
        }
        writer.varint(UInt64(span.droppedLinksCount))
        writer.string(span.status.message)
        writer.string(span.traceState)
        writer.varint(UInt64(span.flags))
    }

    /// Reads what `writeSpanBody` wrote into `span` (whose start time must already be set:
    /// event times are stored relative to it).
    static func readSpanBody(_ reader: inout ByteReader, into span: inout Span) throws {
        (span.attributes, span.droppedAttributesCount) = try readAttributes(&reader)
        span.events = try (0..<reader.count()).map { _ in
            let time = span.startTimeUnixNano &+ UInt64(bitPattern: try reader.signedVarint())
            let name = try reader.string()
            let (attributes, dropped) = try readAttributes(&reader)
            return SpanEvent(timeUnixNano: time, name: name, attributes: attributes, droppedAttributesCount: dropped)
        }
        span.droppedEventsCount = try reader.uint32()
        span.links = try (0..<reader.count()).map { _ in
            let traceID = TraceID(bytes: try reader.raw(16))!
            let spanID = SpanID(try reader.fixed64())
            let traceState = try reader.string()
            let (attributes, dropped) = try readAttributes(&reader)
            return SpanLink(
                traceID: traceID, spanID: spanID, traceState: traceState, attributes: attributes,
                droppedAttributesCount: dropped, flags: try reader.uint32())
        }
        span.droppedLinksCount = try reader.uint32()
        span.status.message = try reader.string()
        span.traceState = try reader.string()
        span.flags = try reader.uint32()
    }

    /// Reads a schema-1 `spans.body` column (its version byte, then `writeSpanBody`'s fields).
    static func decodeVersion1SpanBody(_ body: [UInt8], into span: inout Span) throws {
        var reader = ByteReader(body)
        guard try reader.byte() == version else { throw ByteReader.Malformed(offset: 0) }
        try readSpanBody(&reader, into: &span)
        guard reader.isAtEnd else { throw ByteReader.Malformed(offset: reader.offset) }
    }

    // MARK: Resource + scope body

    static func encodeResource(_ resource: Resource, scope: InstrumentationScope) -> [UInt8] {
        var writer = ByteWriter()
        writer.byte(version)
        writeAttributes(resource.attributes, dropped: resource.droppedAttributesCount, into: &writer)
        writer.string(scope.name)
        writer.string(scope.version)
        writeAttributes(scope.attributes, dropped: scope.droppedAttributesCount, into: &writer)
        return writer.bytes
    }

    static func decodeResource(_ body: [UInt8]) throws -> (Resource, InstrumentationScope) {
        var reader = ByteReader(body)
        guard try reader.byte() == version else { throw ByteReader.Malformed(offset: 0) }
        let (resourceAttributes, resourceDropped) = try readAttributes(&reader)
        let name = try reader.string()
        let scopeVersion = try reader.string()
        let (scopeAttributes, scopeDropped) = try readAttributes(&reader)
        guard reader.isAtEnd else { throw ByteReader.Malformed(offset: reader.offset) }
        return (
            Resource(attributes: resourceAttributes, droppedAttributesCount: resourceDropped),
            InstrumentationScope(
                name: name, version: scopeVersion, attributes: scopeAttributes, droppedAttributesCount: scopeDropped)
        )
    }

    // MARK: Attributes

    private static func writeAttributes(_ attributes: [Attribute], dropped: UInt32, into writer: inout ByteWriter) {
        writeAttributeList(attributes, into: &writer)
        writer.varint(UInt64(dropped))
    }

    private static func writeAttributeList(_ attributes: [Attribute], into writer: inout ByteWriter) {
        writer.varint(UInt64(attributes.count))
        for attribute in attributes {
            writer.string(attribute.key)
            writeValue(attribute.value, into: &writer)
        }
    }

    private static func writeValue(_ value: AttributeValue, into writer: inout ByteWriter) {
        switch value {
        case .string(let string):
            writer.byte(ValueTag.string.rawValue)
            writer.string(string)
        case .bool(let bool):
            writer.byte(bool ? ValueTag.boolTrue.rawValue : ValueTag.boolFalse.rawValue)
        case .int(let int):
            writer.byte(ValueTag.int.rawValue)
            writer.signedVarint(int)
        case .double(let double):
            writer.byte(ValueTag.double.rawValue)
            writer.fixed64(double.bitPattern)
        case .array(let values):
            writer.byte(ValueTag.array.rawValue)
            writer.varint(UInt64(values.count))
            for element in values { writeValue(element, into: &writer) }
        case .map(let entries):
            writer.byte(ValueTag.map.rawValue)
            writeAttributeList(entries, into: &writer)
        case .bytes(let bytes):
            writer.byte(ValueTag.bytes.rawValue)
            writer.varint(UInt64(bytes.count))
            writer.raw(bytes)
        }
    }

    private static func readAttributes(_ reader: inout ByteReader) throws -> ([Attribute], UInt32) {
        let attributes = try readAttributeList(&reader)
        return (attributes, try reader.uint32())
    }

    private static func readAttributeList(_ reader: inout ByteReader) throws -> [Attribute] {
        try (0..<reader.count()).map { _ in Attribute(try reader.string(), try readValue(&reader)) }
    }

    private static func readValue(_ reader: inout ByteReader) throws -> AttributeValue {
        guard let tag = ValueTag(rawValue: try reader.byte()) else { throw ByteReader.Malformed(offset: reader.offset) }
        switch tag {
        case .string: return .string(try reader.string())
        case .boolFalse: return .bool(false)
        case .boolTrue: return .bool(true)
        case .int: return .int(try reader.signedVarint())
        case .double: return .double(Double(bitPattern: try reader.fixed64()))
        case .array: return .array(try (0..<reader.count()).map { _ in try readValue(&reader) })
        case .map: return .map(try readAttributeList(&reader))
        case .bytes: return .bytes(Array(try reader.raw(reader.count())))
        }
    }
}
