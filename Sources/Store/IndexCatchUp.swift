import Foundation
import GRDB
import KeiroModel

/// Chunks stored but not yet indexed when the store last stopped (a crash, or a kill before
/// the indexer's last run), or every chunk when the index file is new or belonged to
/// another store file: read back and indexed when the store opens, so every acknowledged
/// batch becomes searchable. Traces not seen before are homed in the newest segment.
enum IndexCatchUp {
    /// Chunks read and indexed per run.
    private static let chunksPerRun = 256

    /// Indexes every chunk above the index's mark, in runs of its own transactions; returns
    /// the homes of the traces indexed.
    static func run(
        store: DatabasePool, index: IndexFile, indexed: IndexedAttributes
    ) throws -> [(traceID: TraceID, segment: Int64)] {
        var homes: [(traceID: TraceID, segment: Int64)] = []
        var after = try index.writer.read(IndexFile.indexedThrough)
        let indexer = TraceIndexer()
        while true {
            let parts = try store.read { db in try self.parts(after: after, indexed: indexed, db) }
            guard let last = parts.last?.chunkID else { return homes }
            homes += try index.writer.write { db in try indexer.index(parts, in: db, knownHomes: RecentTraceHomes()) }
            after = last
        }
    }

    /// The parts of the next chunks after `chunkID`, analysed as ingest does.
    private static func parts(after chunkID: Int64, indexed: IndexedAttributes, _ db: Database) throws -> [PendingPart] {
        guard let segment = try Segments.newest(db) else { return [] }
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT c.id, c.raw_size, c.body, s.name AS service, r.service_id
                FROM chunks c JOIN resources r ON r.id = c.resource_id JOIN services s ON s.id = r.service_id
                WHERE c.id > ? ORDER BY c.id LIMIT ?
                """,
            arguments: [chunkID, chunksPerRun])
        return try rows.flatMap { row in
            let body = try ChunkCompression.decompress(Array(row["body"] as Data), rawSize: row["raw_size"])
            let service: String = row["service"]
            var keys = IndexKeyTable()
            let facts = try ChunkCodec.parts(in: body).map { part in
                (part.traceID, PartFacts(part.spans, serviceName: service, indexed: indexed, keys: &keys))
            }
            return facts.map { traceID, facts in
                PendingPart(
                    traceID: traceID, chunkID: row["id"], segment: segment, serviceID: row["service_id"], keys: keys.keys,
                    facts: facts)
            }
        }
    }
}
