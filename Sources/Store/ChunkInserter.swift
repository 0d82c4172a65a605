import GRDB
import KeiroModel

/// The first step of a write, inside the writer's open transaction: stores a group's new
/// trace parts as chunks and keeps what `TraceIndexer` needs of each — the second step,
/// which the indexer runs later over many groups at once, in the index file (see
/// `SQLiteSpanStore`).
/// A part whose digest the segment already has is a duplicate; a chunk that held one is
/// packed again without it.
final class ChunkInserter {
    private let db: Database
    private let segment: Int64
    private let chunks: ChunkWriter
    private let insertDigest: RawStatement
    /// Interned ids, looked up once per group.
    private var serviceIDs: [String: Int64] = [:]

    /// The parts stored so far, in order, for the index.
    private(set) var stored: [PendingPart] = []

    /// Prepares to insert into `segment` (see `Segments`).
    init(_ db: Database, segment: Int64) throws {
        self.db = db
        self.segment = segment
        chunks = try ChunkWriter(db)
        insertDigest = try RawStatement(db, sql: "INSERT OR IGNORE INTO part_digests (segment, digest) VALUES (?1, ?2)")
    }

    /// Inserts one prepared batch and reports what it stored.
    func insert(_ batch: PreparedBatch) throws -> WriteOutcome {
        var outcome = WriteOutcome()
        for scope in batch.scopes {
            let serviceID = try serviceID(scope.serviceName)
            let resourceID = try Interned.resource(scope.resourceBody, serviceID: serviceID, db)
            var isNew: [Bool] = []
            isNew.reserveCapacity(scope.parts.count)
            for part in scope.parts {
                insertDigest.bind(1, segment)
                insertDigest.bind(2, part.digest)
                let new = try insertDigest.execute() == 1
                isNew.append(new)
                if new { outcome.stored += part.encoded.spanCount } else { outcome.duplicates += part.encoded.spanCount }
            }
            func keep(_ index: Int, chunkID: Int64) {
                let part = scope.parts[index]
                stored.append(
                    PendingPart(
                        traceID: part.encoded.traceID, chunkID: chunkID, segment: segment, serviceID: serviceID,
                        keys: scope.keys, facts: part.facts))
            }
            for chunk in scope.chunks {
                let kept = chunk.parts.filter { isNew[$0] }
                if kept.count == chunk.parts.count {
                    let id = try chunks.insert(chunk, resourceID: resourceID, db)
                    for index in kept { keep(index, chunkID: id) }
                } else if !kept.isEmpty {
                    let ids = try chunks.write(kept.map { scope.parts[$0].encoded }, resourceID: resourceID, db)
                    for (index, id) in zip(kept, ids) { keep(index, chunkID: id) }
                }
            }
        }
        return outcome
    }

    private func serviceID(_ name: String) throws -> Int64 {
        if let id = serviceIDs[name] { return id }
        let id = try Interned.service(name, db)
        serviceIDs[name] = id
        return id
    }
}

/// A stored part waiting for the search index: its trace, chunk, the segment it was
/// stored in (the home of a trace it starts), service, and facts whose value keys index
/// `keys` (shared by the parts of one scope).
struct PendingPart: Sendable {
    var traceID: TraceID
    var chunkID: Int64
    var segment: Int64
    var serviceID: Int64
    var keys: [String]
    var facts: PartFacts
}
