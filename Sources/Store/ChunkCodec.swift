import KeiroModel

/// The spans of one trace reported under one resource and scope in one batch, encoded:
/// the unit that is deduplicated (by digest) and packed into chunks.
struct EncodedPart {
    var traceID: TraceID
    var spanCount: Int
    var bytes: [UInt8]

    /// Identifies the part's content within a segment: the same spans of the same trace
    /// posted again hash the same.
    var digest: Int64 {
        let seed = traceID.withUnsafeBytes { ContentDigest.digest($0) }
        return Int64(bitPattern: bytes.withUnsafeBytes { ContentDigest.digest($0, seed: seed) })
    }
}

/// The layout of a chunk row's body before compression: a version byte, then per part
/// the 16-byte trace id, the part's length and the part. A part is a span count and, per
/// span, its id, kind, parent, name, start, duration, status code and
/// `SpanBodyCodec.writeSpanBody`'s fields.
enum ChunkCodec {
    static let version: UInt8 = 2

    static func encodePart(traceID: TraceID, spans: some Collection<Span>) -> EncodedPart {
        var writer = ByteWriter(capacity: spans.count * 320)
        writer.varint(UInt64(spans.count))
        for span in spans {
            writer.fixed64(span.spanID.value)
            writer.byte(UInt8(truncatingIfNeeded: span.kind.rawValue))
            if let parent = span.parentSpanID {
                writer.byte(1)
                writer.fixed64(parent.value)
            } else {
                writer.byte(0)
            }
            writer.string(span.name)
            writer.varint(span.startTimeUnixNano)
            writer.varint(span.durationNanos)
            writer.byte(UInt8(truncatingIfNeeded: span.status.code.rawValue))
            SpanBodyCodec.writeSpanBody(span, into: &writer)
        }
        return EncodedPart(traceID: traceID, spanCount: spans.count, bytes: writer.bytes)
    }

    /// Starts a chunk body; append parts with `append(_:to:)`.
    static func header() -> ByteWriter {
        var writer = ByteWriter(capacity: ChunkWriter.targetRawBytes + 4096)
        writer.byte(version)
        return writer
    }

    static func append(_ part: EncodedPart, to writer: inout ByteWriter) {
        part.traceID.withUnsafeBytes { writer.raw($0) }
        writer.varint(UInt64(part.bytes.count))
        writer.raw(part.bytes)
    }

    /// The spans of `traceID` in a decompressed chunk body (usually one part; a chunk never
    /// holds two parts of one trace unless the same batch repeated it).
    static func spans(of traceID: TraceID, in body: [UInt8]) throws -> [Span] {
        var reader = ByteReader(body)
        guard try reader.byte() == version else { throw ByteReader.Malformed(offset: 0) }
        let wanted = traceID.bytes
        var spans: [Span] = []
        while !reader.isAtEnd {
            let partTrace = try reader.raw(16)
            let length = try reader.count()
            guard partTrace.elementsEqual(wanted) else {
                _ = try reader.raw(length)
                continue
            }
            let end = reader.offset + length
            try readPart(&reader, traceID: traceID, into: &spans)
            guard reader.offset == end else { throw ByteReader.Malformed(offset: reader.offset) }
        }
        return spans
    }

    /// Every part of a decompressed chunk body, decoded.
    static func parts(in body: [UInt8]) throws -> [(traceID: TraceID, spans: [Span])] {
        var reader = ByteReader(body)
        guard try reader.byte() == version else { throw ByteReader.Malformed(offset: 0) }
        var parts: [(TraceID, [Span])] = []
        while !reader.isAtEnd {
            let traceID = TraceID(bytes: try reader.raw(16))!
            let end = try reader.count() + reader.offset
            var spans: [Span] = []
            try readPart(&reader, traceID: traceID, into: &spans)
            guard reader.offset == end else { throw ByteReader.Malformed(offset: reader.offset) }
            parts.append((traceID, spans))
        }
        return parts
    }

    private static func readPart(_ reader: inout ByteReader, traceID: TraceID, into spans: inout [Span]) throws {
        for _ in 0..<(try reader.count()) {
            let spanID = SpanID(try reader.fixed64())
            let kind = SpanKind(rawValue: Int(try reader.byte())) ?? .unspecified
            let parent = try reader.byte() == 0 ? nil : SpanID(try reader.fixed64())
            let name = try reader.string()
            let start = try reader.varint()
            let duration = try reader.varint()
            let status = SpanStatus.Code(rawValue: Int(try reader.byte())) ?? .unset
            var span = Span(
                traceID: traceID, spanID: spanID, parentSpanID: parent, name: name, kind: kind,
                startTimeUnixNano: start, endTimeUnixNano: start &+ duration, status: SpanStatus(code: status))
            try SpanBodyCodec.readSpanBody(&reader, into: &span)
            spans.append(span)
        }
    }
}

extension ChunkCodec {
    /// The `traces.chunks` column: the ids of the chunks holding the trace's spans, as
    /// varints, appended to as parts arrive (SQL's `||` yields text, hence
    /// `CAST(… AS BLOB)`; chunk ids are ≥ 1, so no varint byte is NUL).
    static func encodeChunkIDs(_ ids: some Sequence<Int64>) -> [UInt8] {
        var writer = ByteWriter(capacity: 16)
        for id in ids { writer.varint(UInt64(bitPattern: id)) }
        return writer.bytes
    }

    static func decodeChunkIDs(_ bytes: [UInt8]) throws -> [Int64] {
        var reader = ByteReader(bytes)
        var ids: [Int64] = []
        while !reader.isAtEnd { ids.append(Int64(bitPattern: try reader.varint())) }
        return ids
    }
}
