import Analyzer
import GRDB
import KeiroModel

/// The second step of a write: makes stored parts searchable, inside the indexer's open
/// transaction on the index file (schemas/sqlite/index). Parts are folded per trace in
/// memory — across every group committed since the last run, so a trace whose services
/// exported minutes apart in many small groups still costs one summary upsert and one
/// search entry per distinct value — and written sorted by key, so the B-tree writes walk
/// each index once in order. Everything goes to the trace's home segment, found through
/// `trace_homes`; a trace not seen before is homed in the segment of its first part.
///
/// A part is indexed once: runs index chunks in id order and move the index file's mark
/// (`index_state.indexed_through`) past them, and a part at or below the mark is skipped
/// (another store that opened the file indexed it first, `IndexCatchUp`).
///
/// One indexer serves every run of a store: its arrays keep their capacity between runs.
/// (Allocated afresh per run they cost ~27k page faults per million demo spans, several µs
/// each on a VM: a tenth of the indexer's time.)
final class TraceIndexer {
    /// What the run adds to one trace's summary row: the aggregate, the recorded flags,
    /// the chunks its spans went to and the indexed values they carry.
    fileprivate struct TraceUpdate {
        var traceID: TraceID
        /// Where the trace's first part was stored: its home if it is new.
        var segment: Int64
        var aggregate: TraceAggregate
        var flags: TraceFlags
        var chunkIDs: [Int64]
        /// Distinct. A part's values are; another part's join by a linear search, cheaper
        /// than hashing them: a trace has a dozen or two, and an integer key to compare first.
        var values: [SearchValue]
    }

    fileprivate struct SearchValue: Hashable {
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

    /// The run's traces in the order they first came, and where each one is.
    private var updates: [TraceUpdate] = []
    private var slots: [TraceID: Int] = [:]
    /// The run's traces in (home, trace id) order, and their search entries.
    private var homed: [(segment: Int64, traceID: TraceID, slot: Int, isNew: Bool)] = []
    private var entries: [SearchEntry] = []
    /// One segment's traces per search value, while collecting `entries`.
    private var postings: [SearchValue: [TraceID]] = [:]

    /// What a run needs of the index file: its statements and the key ids it interned.
    fileprivate final class Run {
        let db: Database
        let knownHomes: RecentTraceHomes
        let insertSearchEntries: MultiRowStatement
        let upsertTrace: RawStatement
        let findHome: RawStatement
        let insertHome: RawStatement
        /// Interned `index_keys` ids of the last key list resolved, and that list (parts of
        /// one scope share its storage, so one comparison of the buffers stands for the lookups).
        var resolvedKeys: (keys: [String], ids: [Int64])?
        var keyIDs: [String: Int64] = [:]

        init(_ db: Database, knownHomes: RecentTraceHomes) throws {
            self.db = db
            self.knownHomes = knownHomes
            insertSearchEntries = try MultiRowStatement(
                db, head: "INSERT OR IGNORE INTO trace_search (segment, key_id, value, trace_id) VALUES", columns: 4)
            upsertTrace = try RawStatement(db, sql: TraceAggregate.upsertSQL)
            findHome = try RawStatement(db, sql: "SELECT segment FROM trace_homes WHERE trace_id = ?1")
            insertHome = try RawStatement(db, sql: "INSERT OR IGNORE INTO trace_homes (trace_id, segment) VALUES (?1, ?2)")
        }
    }

    /// Indexes `parts` (stored parts, in chunk order) in the index file's open transaction
    /// and moves the mark past their chunks; returns the home of every trace written, for
    /// `RecentTraceHomes` once the transaction commits. `knownHomes` are committed homes
    /// that need no lookup.
    func index(
        _ parts: some Sequence<PendingPart>, in db: Database, knownHomes: RecentTraceHomes
    ) throws -> [(traceID: TraceID, segment: Int64)] {
        defer {
            updates.removeAll(keepingCapacity: true)
            slots.removeAll(keepingCapacity: true)
            homed.removeAll(keepingCapacity: true)
            entries.removeAll(keepingCapacity: true)
            postings.removeAll(keepingCapacity: true)
        }
        let run = try Run(db, knownHomes: knownHomes)
        let mark = try IndexFile.indexedThrough(db)
        var last = mark
        for part in parts where part.chunkID > mark {
            try fold(part, run)
            last = max(last, part.chunkID)
        }
        let homes = try finish(run)
        if last > mark { try IndexFile.setIndexedThrough(last, db) }
        return homes
    }

    /// Adds a part to its trace's pending update.
    private func fold(_ part: PendingPart, _ run: Run) throws {
        var aggregate = part.facts.aggregate
        aggregate.root.serviceID = part.serviceID
        let ids = try run.keyIDs(of: part.keys)
        let values = part.facts.values.map { SearchValue(keyID: ids[$0.key], value: $0.value) }
        guard let slot = slots[part.traceID] else {
            slots[part.traceID] = updates.count
            updates.append(
                TraceUpdate(
                    traceID: part.traceID, segment: part.segment, aggregate: aggregate, flags: part.facts.flags,
                    chunkIDs: [part.chunkID], values: values))
            return
        }
        updates[slot].aggregate.merge(aggregate)
        updates[slot].flags.formUnion(part.facts.flags)
        updates[slot].chunkIDs.append(part.chunkID)
        for value in values where !updates[slot].values.contains(value) { updates[slot].values.append(value) }
    }

    /// Writes the summaries and search entries of the folded parts, each in its
    /// trace's home segment (that of its first part for a trace not seen before), and the
    /// segments' trace counts, start bounds and longest durations. Returns the home of
    /// every trace written, for `RecentTraceHomes` once the transaction commits.
    private func finish(_ run: Run) throws -> [(traceID: TraceID, segment: Int64)] {
        var bounds: [Int64: SegmentBounds] = [:]
        for (traceID, slot) in updates.indices.map({ (updates[$0].traceID, $0) }).sorted(by: { $0.0 < $1.0 }) {
            let (home, isNew) = try run.home(of: traceID, newIn: updates[slot].segment)
            homed.append((home, traceID, slot, isNew))
        }
        homed.sort { ($0.segment, $0.traceID) < ($1.segment, $1.traceID) }
        for (home, _, slot, isNew) in homed {
            let (start, end) = try run.upsert(updates[slot], segment: home)
            bounds[home, default: SegmentBounds()].add(start: start, duration: end - start, isNew: isNew)
        }
        collectSearchEntries()
        try run.insertSearchEntries.run(entries) { statement, first, entry in
            statement.bind(first, entry.segment)
            statement.bind(first + 1, entry.keyID)
            statement.bind(first + 2, text: entry.value)
            statement.bind(first + 3, traceID: entry.traceID)
        }
        for (segment, bounds) in bounds { try bounds.add(to: segment, run.db) }
        return homed.map { ($0.traceID, $0.segment) }
    }

    /// Fills `entries` in `trace_search` order — segment, key, value, trace id — without
    /// sorting them all: per segment the traces come in id order (`homed`), so each value's
    /// traces are collected in order and only the segment's few distinct values are sorted.
    private func collectSearchEntries() {
        var start = homed.startIndex
        while start < homed.endIndex {
            let segment = homed[start].segment
            let end = homed[start...].firstIndex { $0.segment != segment } ?? homed.endIndex
            postings.removeAll(keepingCapacity: true)
            for (_, traceID, slot, _) in homed[start..<end] {
                for value in updates[slot].values { postings[value, default: []].append(traceID) }
            }
            for value in postings.keys.sorted(by: { ($0.keyID, $0.value) < ($1.keyID, $1.value) }) {
                for traceID in postings[value]! {
                    entries.append(SearchEntry(segment: segment, keyID: value.keyID, value: value.value, traceID: traceID))
                }
            }
            start = end
        }
    }
}

extension TraceIndexer.Run {
    /// The interned ids of a part's keys, in order.
    func keyIDs(of keys: [String]) throws -> [Int64] {
        if let resolved = resolvedKeys, Self.shareStorage(resolved.keys, keys) { return resolved.ids }
        let ids = try keys.map { key in
            if let id = keyIDs[key] { return id }
            let id = try Interned.indexKey(key, db)
            keyIDs[key] = id
            return id
        }
        resolvedKeys = (keys, ids)
        return ids
    }

    static func shareStorage(_ a: [String], _ b: [String]) -> Bool {
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress && a.count == b.count } }
    }

    /// The trace's home segment, recorded as `segment` if the trace is new: known
    /// recently, else one insert for a new trace (most lookups that reach the table).
    func home(of traceID: TraceID, newIn segment: Int64) throws -> (segment: Int64, isNew: Bool) {
        if let home = knownHomes[traceID] { return (home, false) }
        insertHome.bind(1, traceID: traceID)
        insertHome.bind(2, segment)
        if try insertHome.execute() == 1 { return (segment, true) }
        findHome.bind(1, traceID: traceID)
        return (try findHome.fetchOne({ column in column(0) })!, false)
    }

    /// Folds `update` into the trace's row; returns the row's start and end after it.
    func upsert(_ update: TraceIndexer.TraceUpdate, segment: Int64) throws -> (start: Int64, end: Int64) {
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
