import GRDB

/// Packs encoded trace parts into `chunks` rows of about `targetRawBytes` each (before
/// compression): large enough to compress well, small enough that reading one trace
/// inflates little more than its own spans.
struct ChunkWriter {
    static let targetRawBytes = 32 * 1024

    private let insertChunk: RawStatement

    init(_ db: Database) throws {
        insertChunk = try RawStatement(
            db, sql: "INSERT INTO chunks (resource_id, span_count, raw_size, body) VALUES (?1, ?2, ?3, ?4)")
    }

    /// Writes `parts` in order and returns the chunk id of each part.
    func write(_ parts: [EncodedPart], resourceID: Int64, _ db: Database) throws -> [Int64] {
        var ids: [Int64] = []
        ids.reserveCapacity(parts.count)
        var index = parts.startIndex
        while index < parts.endIndex {
            var body = ChunkCodec.header()
            var spans = 0
            let first = index
            repeat {
                ChunkCodec.append(parts[index], to: &body)
                spans += parts[index].spanCount
                index += 1
            } while index < parts.endIndex && body.bytes.count + parts[index].bytes.count <= Self.targetRawBytes
            let compressed = try ChunkCompression.compress(body.bytes)
            insertChunk.bind(1, resourceID)
            insertChunk.bind(2, Int64(spans))
            insertChunk.bind(3, Int64(body.bytes.count))
            compressed.withUnsafeReadableBytes { insertChunk.bind(4, bytes: $0) }
            try insertChunk.execute()
            ids.append(contentsOf: repeatElement(db.lastInsertedRowID, count: index - first))
        }
        return ids
    }
}
