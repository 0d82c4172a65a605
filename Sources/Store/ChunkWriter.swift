import GRDB

/// A chunk body ready to insert: ~`ChunkWriter.targetRawBytes` of consecutive parts,
/// deflated.
struct PackedChunk: Sendable {
    /// Indexes of its parts in the list that was packed.
    var parts: Range<Int>
    var spanCount: Int
    var rawSize: Int
    var body: [UInt8]
}

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

    /// Packs `parts` in order into compressed chunk bodies (no database work).
    static func pack(_ parts: [EncodedPart]) throws -> [PackedChunk] {
        var chunks: [PackedChunk] = []
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
            chunks.append(
                PackedChunk(
                    parts: first..<index, spanCount: spans, rawSize: body.bytes.count,
                    body: ChunkCompression.compress(body.bytes)))
        }
        return chunks
    }

    /// Inserts a packed chunk and returns its id.
    func insert(_ chunk: PackedChunk, resourceID: Int64, _ db: Database) throws -> Int64 {
        insertChunk.bind(1, resourceID)
        insertChunk.bind(2, Int64(chunk.spanCount))
        insertChunk.bind(3, Int64(chunk.rawSize))
        chunk.body.withUnsafeBytes { insertChunk.bind(4, bytes: $0) }
        try insertChunk.execute()
        return db.lastInsertedRowID
    }

    /// Packs and inserts `parts`; returns the chunk id of each part.
    func write(_ parts: [EncodedPart], resourceID: Int64, _ db: Database) throws -> [Int64] {
        var ids: [Int64] = []
        ids.reserveCapacity(parts.count)
        for chunk in try Self.pack(parts) {
            let id = try insert(chunk, resourceID: resourceID, db)
            ids.append(contentsOf: repeatElement(id, count: chunk.parts.count))
        }
        return ids
    }
}
