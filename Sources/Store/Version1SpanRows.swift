import Foundation
import GRDB
import KeiroModel

/// Converts the span rows of a version-1 file (one row per span) into chunks, the step
/// of migration 0002. Rows are read in (segment, resource, trace) order, so each trace's
/// spans of one resource become one part, packed as ingest packs them.
enum Version1SpanRows {
    /// Parts buffered before they are written as chunks.
    private static let partsPerFlush = 4_096

    static func convert(_ db: Database) throws {
        let chunks = try ChunkWriter(db)
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT segment, resource_id, trace_id, span_id, kind, parent_id, name, start_ns, duration_ns,
                       status_code, body
                FROM spans ORDER BY segment, resource_id, trace_id, start_ns, span_id
                """)
        var group: (segment: Int64, resourceID: Int64)?
        var parts: [EncodedPart] = []
        var trace: (id: TraceID, spans: [Span])?

        func endTrace() {
            if let current = trace { parts.append(ChunkCodec.encodePart(traceID: current.id, spans: current.spans)) }
            trace = nil
        }
        func flush() throws {
            endTrace()
            guard let current = group, !parts.isEmpty else { return }
            let ids = try chunks.write(parts, resourceID: current.resourceID, db)
            for (part, chunkID) in zip(parts, ids) {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO part_digests (segment, digest) VALUES (?, ?)",
                    arguments: [current.segment, part.digest])
                try db.execute(
                    sql: "UPDATE traces SET chunks = CAST(chunks || ? AS BLOB) WHERE segment = ? AND trace_id = ?",
                    arguments: [Data(ChunkCodec.encodeChunkIDs([chunkID])), current.segment, Data(part.traceID.bytes)])
            }
            parts.removeAll(keepingCapacity: true)
        }

        while let row = try rows.next() {
            let key = (segment: row["segment"] as Int64, resourceID: row["resource_id"] as Int64)
            if group.map({ $0 != key }) ?? true {
                try flush()
                group = key
            }
            let span = try span(from: row)
            if trace?.id != span.traceID {
                endTrace()
                if parts.count >= partsPerFlush { try flush() }
                trace = (span.traceID, [])
            }
            trace!.spans.append(span)
        }
        try flush()
    }

    private static func span(from row: Row) throws -> Span {
        guard let traceID = TraceID(bytes: row["trace_id"] as Data) else { throw ByteReader.Malformed(offset: 0) }
        let start = UInt64(row["start_ns"] as Int64)
        var span = Span(
            traceID: traceID, spanID: SpanID(UInt64(bitPattern: row["span_id"])),
            parentSpanID: (row["parent_id"] as Int64?).map { SpanID(UInt64(bitPattern: $0)) },
            name: row["name"], kind: SpanKind(rawValue: row["kind"]) ?? .unspecified,
            startTimeUnixNano: start, endTimeUnixNano: start + UInt64(row["duration_ns"] as Int64),
            status: SpanStatus(code: SpanStatus.Code(rawValue: row["status_code"]) ?? .unset))
        try SpanBodyCodec.decodeVersion1SpanBody(Array(row["body"] as Data), into: &span)
        return span
    }
}
