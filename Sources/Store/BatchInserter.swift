import Analyzer
import Foundation
import GRDB
import KeiroModel

/// Writes span batches inside the writer's open transaction (the caller commits or rolls
/// back; see `SQLiteSpanStore.insertAllOrEach`). Chunks are written as each batch comes;
/// summaries and search entries of the whole group are folded per trace in memory and
/// written by `finish()`, sorted by key, so the B-tree writes of a transaction walk each
/// index once in order.
///
/// A batch becomes trace parts (the spans of one trace under one resource and scope),
/// packed into compressed chunks. Per trace and group there is one home lookup, one
/// summary upsert and one search entry per distinct indexed value, all in the trace's
/// home segment — not a row per span (schemas/sqlite/0002, 0004).
final class BatchInserter {
    private let db: Database
    private let segment: Int64
    private let knownHomes: RecentTraceHomes
    private let chunks: ChunkWriter
    private let insertDigest: RawStatement
    private let insertSearchEntries: MultiRowStatement
    private let upsertTrace: RawStatement
    private let findHome: RawStatement
    private let insertHome: RawStatement

    /// What the group adds to one trace's summary row: the aggregate, the recorded flags,
    /// the chunks its spans went to and the indexed values they carry.
    private struct TraceUpdate {
        var traceID: TraceID
        var aggregate: TraceAggregate
        var flags: TraceFlags
        var chunkIDs: [Int64]
        /// Distinct. A part's values are; another part's join by a linear search, cheaper
        /// than hashing them: a trace has a dozen or two, and an integer key to compare first.
        var values: [SearchValue]
    }

    private struct SearchValue: Equatable {
        var keyID: Int64
        var value: String
    }

    /// A `trace_search` row waiting to be written.
    private struct SearchEntry {
        var segment: Int64
        var keyID: Int64
        var value: String
        var traceID: TraceID
    }

    /// The group's traces in the order they first came, and where each one is.
    private var updates: [TraceUpdate] = []
    private var slots: [TraceID: Int] = [:]
    /// Interned ids, looked up once per group.
    private var serviceIDs: [String: Int64] = [:]
    private var keyIDs: [String: Int64] = [:]

    /// Prepares to insert into `segment` (see `Segments`); `knownHomes` are committed homes
    /// that need no lookup.
    init(_ db: Database, segment: Int64, knownHomes: RecentTraceHomes) throws {
        self.db = db
        self.segment = segment
        self.knownHomes = knownHomes
        chunks = try ChunkWriter(db)
        insertDigest = try RawStatement(db, sql: "INSERT OR IGNORE INTO part_digests (segment, digest) VALUES (?1, ?2)")
        insertSearchEntries = try MultiRowStatement(
            db, head: "INSERT OR IGNORE INTO trace_search (segment, key_id, value, trace_id) VALUES", columns: 4)
        upsertTrace = try RawStatement(db, sql: TraceAggregate.upsertSQL)
        findHome = try RawStatement(db, sql: "SELECT segment FROM trace_homes WHERE trace_id = ?1")
        insertHome = try RawStatement(db, sql: "INSERT OR IGNORE INTO trace_homes (trace_id, segment) VALUES (?1, ?2)")
    }

    /// Inserts one prepared batch and reports what it stored. A part whose digest the
    /// segment already has is a duplicate; a chunk that held one is packed again without it.
    func insert(_ batch: PreparedBatch) throws -> WriteOutcome {
        var outcome = WriteOutcome()
        for scope in batch.scopes {
            let serviceID = try serviceID(scope.serviceName)
            let keyIDs = try scope.keys.map(keyID)
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
            for chunk in scope.chunks {
                let kept = chunk.parts.filter { isNew[$0] }
                if kept.count == chunk.parts.count {
                    let id = try chunks.insert(chunk, resourceID: resourceID, db)
                    for index in kept { fold(scope.parts[index], chunkID: id, serviceID: serviceID, keyIDs: keyIDs) }
                } else if !kept.isEmpty {
                    let ids = try chunks.write(kept.map { scope.parts[$0].encoded }, resourceID: resourceID, db)
                    for (index, id) in zip(kept, ids) { fold(scope.parts[index], chunkID: id, serviceID: serviceID, keyIDs: keyIDs) }
                }
            }
        }
        return outcome
    }

    /// Adds a stored part to its trace's pending update; `keyIDs` are the ids of its scope's keys.
    private func fold(_ part: PreparedBatch.Part, chunkID: Int64, serviceID: Int64, keyIDs: [Int64]) {
        let traceID = part.encoded.traceID
        var aggregate = part.aggregate
        aggregate.root.serviceID = serviceID
        let values = part.values.map { SearchValue(keyID: keyIDs[$0.key], value: $0.value) }
        guard let slot = slots[traceID] else {
            slots[traceID] = updates.count
            updates.append(
                TraceUpdate(traceID: traceID, aggregate: aggregate, flags: part.flags, chunkIDs: [chunkID], values: values))
            return
        }
        updates[slot].aggregate.merge(aggregate)
        updates[slot].flags.formUnion(part.flags)
        updates[slot].chunkIDs.append(chunkID)
        for value in values where !updates[slot].values.contains(value) { updates[slot].values.append(value) }
    }

    private func serviceID(_ name: String) throws -> Int64 {
        if let id = serviceIDs[name] { return id }
        let id = try Interned.service(name, db)
        serviceIDs[name] = id
        return id
    }

    private func keyID(_ key: String) throws -> Int64 {
        if let id = keyIDs[key] { return id }
        let id = try Interned.indexKey(key, db)
        keyIDs[key] = id
        return id
    }

    /// Writes the summaries and search entries of every batch inserted so far, each in its
    /// trace's home segment (the current one for a trace not seen before), and the
    /// segments' trace counts, start bounds and longest durations. Returns the home of
    /// every trace written, for `RecentTraceHomes` once the transaction commits.
    func finish() throws -> [(traceID: TraceID, segment: Int64)] {
        var homed: [(segment: Int64, traceID: TraceID, slot: Int, isNew: Bool)] = []
        homed.reserveCapacity(updates.count)
        var bounds: [Int64: SegmentBounds] = [:]
        for (traceID, slot) in updates.indices.map({ (updates[$0].traceID, $0) }).sorted(by: { $0.0 < $1.0 }) {
            let (home, isNew) = try home(of: traceID)
            homed.append((home, traceID, slot, isNew))
        }
        homed.sort { ($0.segment, $0.traceID) < ($1.segment, $1.traceID) }
        var entries: [SearchEntry] = []
        entries.reserveCapacity(updates.reduce(0) { $0 + $1.values.count })
        for (home, _, slot, isNew) in homed {
            let update = updates[slot]
            let (start, end) = try upsert(update, segment: home)
            bounds[home, default: SegmentBounds()].add(start: start, duration: end - start, isNew: isNew)
            for value in update.values {
                entries.append(SearchEntry(segment: home, keyID: value.keyID, value: value.value, traceID: update.traceID))
            }
        }
        entries.sort { ($0.segment, $0.keyID, $0.value, $0.traceID) < ($1.segment, $1.keyID, $1.value, $1.traceID) }
        try insertSearchEntries.run(entries) { statement, first, entry in
            statement.bind(first, entry.segment)
            statement.bind(first + 1, entry.keyID)
            statement.bind(first + 2, text: entry.value)
            statement.bind(first + 3, traceID: entry.traceID)
        }
        for (segment, bounds) in bounds { try Segments.add(bounds, to: segment, db) }
        defer {
            updates.removeAll()
            slots.removeAll()
        }
        return homed.map { ($0.traceID, $0.segment) }
    }

    /// The trace's home segment, recorded as the current one if the trace is new: known
    /// recently, else one insert for a new trace (most lookups that reach the table).
    private func home(of traceID: TraceID) throws -> (segment: Int64, isNew: Bool) {
        if let home = knownHomes[traceID] { return (home, false) }
        insertHome.bind(1, traceID: traceID)
        insertHome.bind(2, segment)
        if try insertHome.execute() == 1 { return (segment, true) }
        findHome.bind(1, traceID: traceID)
        return (try findHome.fetchOne({ column in column(0) })!, false)
    }

    /// Folds `update` into the trace's row; returns the row's start and end after it.
    private func upsert(_ update: TraceUpdate, segment: Int64) throws -> (start: Int64, end: Int64) {
        let trace = update.aggregate
        upsertTrace.bind(1, traceID: update.traceID)
        upsertTrace.bind(2, Int64(trace.startNanos))
        upsertTrace.bind(3, Int64(trace.endNanos))
        upsertTrace.bind(4, Int64(trace.spanCount))
        upsertTrace.bind(5, Int64(trace.errorCount))
        upsertTrace.bind(6, Int64(bitPattern: trace.root.spanID.value))
        upsertTrace.bind(7, trace.root.hasParent ? 1 : 0)
        upsertTrace.bind(8, Int64(trace.root.startNanos))
        upsertTrace.bind(9, trace.root.serviceID)
        upsertTrace.bind(10, text: trace.root.name)
        upsertTrace.bind(11, text: trace.root.route)
        upsertTrace.bind(12, segment)
        upsertTrace.bind(13, blob: ChunkCodec.encodeChunkIDs(update.chunkIDs))
        upsertTrace.bind(14, update.flags.rawValue)
        return try upsertTrace.fetchOne { column in (column(0), column(1)) }!
    }
}
