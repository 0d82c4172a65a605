import KeiroModel

/// Decodes an OTLP/HTTP protobuf `ExportTraceServiceRequest` body straight into Keiro's
/// spans, without building SwiftProtobuf's message tree first (that tree and its
/// conversion were three quarters of what decoding cost the collector per span).
///
/// Field numbers are those of `schemas/proto/opentelemetry/proto/…`. It reads the wire as
/// SwiftProtobuf would (`WireCursor`): proto3 strings must be UTF-8, a repeated singular
/// field keeps its last value, a repeated embedded message is merged into the first, and
/// unknown fields are skipped. `OTLPProtobufDecoderTests` holds both decoders to the same
/// results on generated and damaged bodies.
public enum OTLPProtobufDecoder {
    public static func decode(_ body: [UInt8]) throws(WireDecodingError) -> DecodedSpans {
        try body.withUnsafeBytes { bytes in Result { () throws(WireDecodingError) in try decode(bytes) } }.get()
    }

    /// Decodes the body in `body`, which must stay valid for the call only.
    public static func decode(_ body: UnsafeRawBufferPointer) throws(WireDecodingError) -> DecodedSpans {
        var cursor = WireCursor(body: body)
        var reader = OTLPBodyReader()
        while let tag = try cursor.nextTag() {
            guard tag.field == 1, tag.wireType == .lengthDelimited else {
                try cursor.skip(tag)
                continue
            }
            var message = try cursor.message()
            try reader.resourceSpans(&message)
        }
        return reader.decoded
    }
}

/// The state of one body's decoding: what was accepted and refused so far, and its strings.
private struct OTLPBodyReader {
    /// SwiftProtobuf's default limit on message nesting, which bounds `AnyValue` recursion.
    static let maxDepth = 100
    /// How deep each owner's `KeyValue` messages sit: the request is 1, resource spans 2;
    /// then resource 3 (its key/values 4), scope spans 3, scope 4 (5), span 4 (5), and an
    /// event or link 5 (6).
    private static let resourceAttributeDepth = 4
    private static let scopeAttributeDepth = 5
    private static let spanAttributeDepth = 5
    private static let eventOrLinkAttributeDepth = 6

    var decoded = DecodedSpans()
    private var strings = StringInterner()

    mutating func resourceSpans(_ cursor: inout WireCursor) throws(WireDecodingError) {
        var resource = Resource()
        var scopes: [ScopeSpans] = []
        while let tag = try cursor.nextTag() {
            switch (tag.field, tag.wireType) {
            case (1, .lengthDelimited):
                var message = try cursor.message()
                try self.resource(&message, into: &resource)
            case (2, .lengthDelimited):
                var message = try cursor.message()
                if let scope = try scopeSpans(&message) { scopes.append(scope) }
            default: try cursor.skip(tag)
            }
        }
        if !scopes.isEmpty { decoded.batch.resourceSpans.append(ResourceSpans(resource: resource, scopeSpans: scopes)) }
    }

    private mutating func resource(_ cursor: inout WireCursor, into resource: inout Resource) throws(WireDecodingError) {
        while let tag = try cursor.nextTag() {
            switch (tag.field, tag.wireType) {
            case (1, .lengthDelimited): resource.attributes.append(try keyValue(&cursor, depth: Self.resourceAttributeDepth))
            case (2, .varint): resource.droppedAttributesCount = try uint32(&cursor)
            default: try cursor.skip(tag)
            }
        }
    }

    /// The scope's accepted spans, or `nil` when none was accepted.
    private mutating func scopeSpans(_ cursor: inout WireCursor) throws(WireDecodingError) -> ScopeSpans? {
        var scope = InstrumentationScope()
        var spans: [Span] = []
        var index = 0
        while let tag = try cursor.nextTag() {
            switch (tag.field, tag.wireType) {
            case (1, .lengthDelimited):
                var message = try cursor.message()
                try self.scope(&message, into: &scope)
            case (2, .lengthDelimited):
                var message = try cursor.message()
                switch try span(&message, index: index) {
                case .success(let span): spans.append(span)
                case .failure(let rejection): decoded.rejections.record(rejection.reason, rejection.message)
                }
                index += 1
            default: try cursor.skip(tag)
            }
        }
        return spans.isEmpty ? nil : ScopeSpans(scope: scope, spans: spans)
    }

    private mutating func scope(_ cursor: inout WireCursor, into scope: inout InstrumentationScope) throws(WireDecodingError) {
        while let tag = try cursor.nextTag() {
            switch (tag.field, tag.wireType) {
            case (1, .lengthDelimited): scope.name = try string(&cursor)
            case (2, .lengthDelimited): scope.version = try string(&cursor)
            case (3, .lengthDelimited): scope.attributes.append(try keyValue(&cursor, depth: Self.scopeAttributeDepth))
            case (4, .varint): scope.droppedAttributesCount = try uint32(&cursor)
            default: try cursor.skip(tag)
            }
        }
    }

    private mutating func span(_ cursor: inout WireCursor, index: Int) throws(WireDecodingError) -> Result<Span, SpanRejection> {
        var traceID = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        var spanID = traceID
        var parentID = traceID
        var span = Span(
            traceID: TraceID(high: 0, low: 0), spanID: SpanID(0), name: "", kind: .unspecified, startTimeUnixNano: 0, endTimeUnixNano: 0)
        var links: [SpanLink] = []
        var droppedLinks: UInt32 = 0
        while let tag = try cursor.nextTag() {
            switch (tag.field, tag.wireType) {
            case (1, .lengthDelimited): traceID = try cursor.lengthDelimited()
            case (2, .lengthDelimited): spanID = try cursor.lengthDelimited()
            case (3, .lengthDelimited): span.traceState = try string(&cursor)
            case (4, .lengthDelimited): parentID = try cursor.lengthDelimited()
            case (5, .lengthDelimited): span.name = try string(&cursor)
            case (6, .varint): span.kind = SpanKind(rawValue: Int(try enumValue(&cursor))) ?? .unspecified
            case (7, .fixed64): span.startTimeUnixNano = try cursor.fixed()
            case (8, .fixed64): span.endTimeUnixNano = try cursor.fixed()
            case (9, .lengthDelimited):
                if span.attributes.isEmpty { span.attributes.reserveCapacity(16) }
                span.attributes.append(try keyValue(&cursor, depth: Self.spanAttributeDepth))
            case (10, .varint): span.droppedAttributesCount = try uint32(&cursor)
            case (11, .lengthDelimited):
                var message = try cursor.message()
                span.events.append(try event(&message))
            case (12, .varint): span.droppedEventsCount = try uint32(&cursor)
            case (13, .lengthDelimited):
                var message = try cursor.message()
                if let link = try link(&message) { links.append(link) } else { droppedLinks = droppedLinks.addingSaturating(1) }
            case (14, .varint): span.droppedLinksCount = try uint32(&cursor)
            case (15, .lengthDelimited):
                var message = try cursor.message()
                try status(&message, into: &span.status)
            case (16, .fixed32):
                span.flags = try cursor.fixed()
            default: try cursor.skip(tag)
            }
        }
        guard let trace = TraceID(bytes: traceID), trace.isValid else {
            return .failure(.init(reason: .invalidTraceID, message: "span #\(index): trace_id has \(traceID.count) bytes or is all zero; want 16 non-zero bytes"))
        }
        guard let id = SpanID(bytes: spanID), id.isValid else {
            return .failure(.init(reason: .invalidSpanID, message: "span #\(index): span_id has \(spanID.count) bytes or is all zero; want 8 non-zero bytes"))
        }
        if !parentID.isEmpty {
            guard let parent = SpanID(bytes: parentID) else {
                return .failure(.init(reason: .invalidParentSpanID, message: "span #\(index): parent_span_id has \(parentID.count) bytes; want 0 or 8"))
            }
            span.parentSpanID = parent.isValid ? parent : nil
        }
        span.traceID = trace
        span.spanID = id
        span.links = links
        span.droppedLinksCount = span.droppedLinksCount.addingSaturating(droppedLinks)
        if let (reason, message) = SpanChecks.rejection(for: span) {
            return .failure(.init(reason: reason, message: message))
        }
        return .success(span)
    }

    private mutating func event(_ cursor: inout WireCursor) throws(WireDecodingError) -> SpanEvent {
        var event = SpanEvent(timeUnixNano: 0, name: "")
        while let tag = try cursor.nextTag() {
            switch (tag.field, tag.wireType) {
            case (1, .fixed64): event.timeUnixNano = try cursor.fixed()
            case (2, .lengthDelimited): event.name = try string(&cursor)
            case (3, .lengthDelimited): event.attributes.append(try keyValue(&cursor, depth: Self.eventOrLinkAttributeDepth))
            case (4, .varint): event.droppedAttributesCount = try uint32(&cursor)
            default: try cursor.skip(tag)
            }
        }
        return event
    }

    /// The link, or `nil` when its ids are not 16 and 8 bytes (it is counted as dropped).
    private mutating func link(_ cursor: inout WireCursor) throws(WireDecodingError) -> SpanLink? {
        var traceID = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        var spanID = traceID
        var link = SpanLink(traceID: TraceID(high: 0, low: 0), spanID: SpanID(0))
        while let tag = try cursor.nextTag() {
            switch (tag.field, tag.wireType) {
            case (1, .lengthDelimited): traceID = try cursor.lengthDelimited()
            case (2, .lengthDelimited): spanID = try cursor.lengthDelimited()
            case (3, .lengthDelimited): link.traceState = try string(&cursor)
            case (4, .lengthDelimited): link.attributes.append(try keyValue(&cursor, depth: Self.eventOrLinkAttributeDepth))
            case (5, .varint): link.droppedAttributesCount = try uint32(&cursor)
            case (6, .fixed32):
                link.flags = try cursor.fixed()
            default: try cursor.skip(tag)
            }
        }
        guard let trace = TraceID(bytes: traceID), let id = SpanID(bytes: spanID) else { return nil }
        link.traceID = trace
        link.spanID = id
        return link
    }

    private mutating func status(_ cursor: inout WireCursor, into status: inout SpanStatus) throws(WireDecodingError) {
        while let tag = try cursor.nextTag() {
            switch (tag.field, tag.wireType) {
            case (2, .lengthDelimited): status.message = try string(&cursor)
            case (3, .varint): status.code = SpanStatus.Code(rawValue: Int(try enumValue(&cursor))) ?? .unset
            default: try cursor.skip(tag)
            }
        }
    }

    // MARK: Attributes

    /// A `KeyValue` field at `depth` (the nesting of the key/value message itself).
    private mutating func keyValue(_ cursor: inout WireCursor, depth: Int) throws(WireDecodingError) -> Attribute {
        var message = try cursor.message()
        var key = ""
        var value: AttributeValue?
        while let inner = try message.nextTag() {
            switch (inner.field, inner.wireType) {
            case (1, .lengthDelimited): key = try string(&message)
            case (2, .lengthDelimited):
                var any = try message.message()
                try anyValue(&any, merging: &value, depth: depth + 1)
            default: try message.skip(inner)
            }
        }
        return Attribute(key, value ?? .string(""))
    }

    /// Reads an `AnyValue` into `value`: a scalar replaces it, an array or key/value list
    /// appends to one of the same kind (protobuf's merge of a repeated oneof message).
    private mutating func anyValue(_ cursor: inout WireCursor, merging value: inout AttributeValue?, depth: Int) throws(WireDecodingError) {
        guard depth <= Self.maxDepth else { throw cursor.malformed("values nested more than \(Self.maxDepth) messages deep") }
        while let tag = try cursor.nextTag() {
            switch (tag.field, tag.wireType) {
            case (1, .lengthDelimited): value = .string(try string(&cursor))
            case (2, .varint): value = .bool(try cursor.varint() != 0)
            case (3, .varint): value = .int(Int64(bitPattern: try cursor.varint()))
            case (4, .fixed64): value = .double(Double(bitPattern: try cursor.fixed()))
            case (5, .lengthDelimited):
                var message = try cursor.message()
                var elements: [AttributeValue] = []
                if case .array(let existing) = value { elements = existing }
                value = nil
                while let inner = try message.nextTag() {
                    guard inner.field == 1, inner.wireType == .lengthDelimited else {
                        try message.skip(inner)
                        continue
                    }
                    var element = try message.message()
                    var elementValue: AttributeValue?
                    try anyValue(&element, merging: &elementValue, depth: depth + 2)
                    elements.append(elementValue ?? .string(""))
                }
                value = .array(elements)
            case (6, .lengthDelimited):
                var message = try cursor.message()
                var entries: [Attribute] = []
                if case .map(let existing) = value { entries = existing }
                value = nil
                while let inner = try message.nextTag() {
                    guard inner.field == 1 else {
                        try message.skip(inner)
                        continue
                    }
                    entries.append(try keyValue(&message, depth: depth + 2))
                }
                value = .map(entries)
            case (7, .lengthDelimited): value = .bytes(Array(try cursor.lengthDelimited()))
            default: try cursor.skip(tag)
            }
        }
    }

    // MARK: Scalar fields (the caller has matched the wire type)

    private mutating func string(_ cursor: inout WireCursor) throws(WireDecodingError) -> String {
        let bytes = try cursor.lengthDelimited()
        guard let string = strings.string(bytes) else { throw cursor.malformed("a string field is not valid UTF-8") }
        return string
    }

    /// A proto3 `uint32`: the varint's low 32 bits.
    private func uint32(_ cursor: inout WireCursor) throws(WireDecodingError) -> UInt32 {
        UInt32(truncatingIfNeeded: try cursor.varint())
    }

    /// An enum: the varint as a 32-bit signed number.
    private func enumValue(_ cursor: inout WireCursor) throws(WireDecodingError) -> Int32 {
        Int32(truncatingIfNeeded: try cursor.varint())
    }
}

extension UInt32 {
    fileprivate func addingSaturating(_ other: UInt32) -> UInt32 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
