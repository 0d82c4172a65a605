import Foundation
import GRDB
import KeiroModel

/// Chunks committed but not yet indexed when the writer stopped (a crash, or a kill before
/// its last index run): read back and indexed when the store next opens, so every
/// acknowledged batch becomes searchable (schemas/sqlite/0005).
enum UnindexedChunks {
    /// Chunks read and indexed per run.
    private static let chunksPerRun = 256

    /// Whether any chunk is listed.
    static func any(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM unindexed_chunks)")!
    }

    /// Indexes every listed chunk, in runs, inside the caller's transaction; returns the
    /// homes of the traces indexed.
    static func index(
        _ db: Database, indexed: IndexedAttributes, segmentSpans: Int
    ) throws -> [(traceID: TraceID, segment: Int64)] {
        var homes: [(traceID: TraceID, segment: Int64)] = []
        var after: Int64 = 0
        while true {
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT c.id, c.raw_size, c.body, s.name AS service, r.service_id
                    FROM unindexed_chunks u JOIN chunks c ON c.id = u.id
                    JOIN resources r ON r.id = c.resource_id JOIN services s ON s.id = r.service_id
                    WHERE u.id > ? ORDER BY u.id LIMIT ?
                    """,
                arguments: [after, chunksPerRun])
            guard let last = rows.last else { return homes }
            after = last["id"]
            var parts: [PendingPart] = []
            for row in rows { parts += try self.parts(of: row, indexed: indexed, db) }
            let indexer = try TraceIndexer(db, segment: Segments.current(db, maxSpans: segmentSpans), knownHomes: RecentTraceHomes())
            homes += try indexer.index(parts)
        }
    }

    /// The parts of one chunk row, analysed as ingest does.
    private static func parts(of row: Row, indexed: IndexedAttributes, _ db: Database) throws -> [PendingPart] {
        let body = try ChunkCompression.decompress(Array(row["body"] as Data), rawSize: row["raw_size"])
        let service: String = row["service"]
        var keys = IndexKeyTable()
        let facts = try ChunkCodec.parts(in: body).map { part in
            (part.traceID, PartFacts(part.spans, serviceName: service, indexed: indexed, keys: &keys))
        }
        let keyIDs = try keys.keys.map { try Interned.indexKey($0, db) }
        return facts.map { traceID, facts in
            PendingPart(traceID: traceID, chunkID: row["id"], serviceID: row["service_id"], keyIDs: keyIDs, facts: facts)
        }
    }
}
