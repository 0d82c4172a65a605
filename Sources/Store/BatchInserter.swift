import Analyzer
import Foundation
import GRDB
import KeiroModel

/// Writes span batches inside the writer's open transaction (the caller commits or rolls
/// back; see `SQLiteSpanStore.insertAllOrEach`). Chunks are written as each batch comes;
/// summaries and search entries of the whole group are written by `finish()`, sorted by
/// key, so the B-tree writes of a transaction walk each index once in order.
///
/// A batch becomes trace parts (the spans of one trace under one resource and scope),
/// packed into compressed chunks; per trace it adds one summary upsert and one search
/// entry per distinct indexed value — not a row per span (schemas/sqlite/0002).
final class BatchInserter {
    private let db: Database
    private let segment: Int64
    private let indexed: IndexedAttributes
    private let chunks: ChunkWriter
    private let insertDigest: RawStatement
    private let insertSearchEntry: RawStatement
    private let upsertTrace: RawStatement

    /// What one batch adds to one trace's summary row: the aggregate, the recorded flags
    /// and the chunks its spans went to.
    private struct TraceUpdate {
        var aggregate: TraceAggregate
        var flags: TraceFlags = []
        var chunkIDs: [Int64] = []
    }

    private struct SearchValue: Hashable {
        var keyID: Int64
        var value: String
    }

    /// A `trace_search` row waiting for `finish()`.
    private struct SearchEntry {
        var keyID: Int64
        var value: String
        var startNanos: UInt64
        var traceID: TraceID
    }

    private var pendingTraces: [(TraceID, TraceUpdate)] = []
    private var pendingSearch: [SearchEntry] = []
    /// Interned ids, looked up once per group.
    private var serviceIDs: [String: Int64] = [:]
    private var keyIDs: [String: Int64] = [:]

    /// Prepares to insert into `segment` (see `Segments`).
    init(_ db: Database, segment: Int64, indexed: IndexedAttributes) throws {
        self.db = db
        self.segment = segment
        self.indexed = indexed
        chunks = try ChunkWriter(db)
        insertDigest = try RawStatement(db, sql: "INSERT OR IGNORE INTO part_digests (segment, digest) VALUES (?1, ?2)")
        insertSearchEntry = try RawStatement(
            db, sql: "INSERT OR IGNORE INTO trace_search (segment, key_id, value, start_ns, trace_id) VALUES (?1, ?2, ?3, ?4, ?5)")
        upsertTrace = try RawStatement(db, sql: TraceAggregate.upsertSQL)
    }

    /// Inserts one batch and reports what it stored.
    func insert(_ batch: SpanBatch) throws -> WriteOutcome {
        var outcome = WriteOutcome()
        var traces: [TraceID: TraceUpdate] = [:]
        var searchValues: [TraceID: Set<SearchValue>] = [:]
        let serviceKeyID = try keyID(SemanticAttributes.serviceName)
        for resourceSpans in batch.resourceSpans {
            let serviceName = resourceSpans.resource.serviceName
            let serviceID = try serviceID(serviceName)
            for scopeSpans in resourceSpans.scopeSpans where !scopeSpans.spans.isEmpty {
                let resourceID = try Interned.resource(
                    SpanBodyCodec.encodeResource(resourceSpans.resource, scope: scopeSpans.scope), serviceID: serviceID, db)
                var parts: [EncodedPart] = []
                for (traceID, spans) in TraceParts.group(scopeSpans.spans) {
                    let part = ChunkCodec.encodePart(traceID: traceID, spans: spans)
                    insertDigest.bind(1, segment)
                    insertDigest.bind(2, part.digest)
                    guard try insertDigest.execute() == 1 else {
                        outcome.duplicates += part.spanCount
                        continue
                    }
                    outcome.stored += part.spanCount
                    parts.append(part)
                    var update = TraceUpdate(aggregate: TraceAggregate(spans: spans, serviceID: serviceID))
                    var values: Set<SearchValue> = [SearchValue(keyID: serviceKeyID, value: serviceName)]
                    for span in spans {
                        try indexed.forEachEntry(of: span) { key, value in
                            values.insert(SearchValue(keyID: try keyID(key), value: value))
                        }
                        update.flags.formUnion(TraceFlags.recorded(by: span))
                    }
                    if !update.flags.isEmpty {
                        let flagKeyID = try keyID(SearchKeys.flag)
                        for name in update.flags.searchNames { values.insert(SearchValue(keyID: flagKeyID, value: name)) }
                    }
                    if traces[traceID] == nil {
                        traces[traceID] = update
                    } else {
                        traces[traceID]!.aggregate.merge(update.aggregate)
                        traces[traceID]!.flags.formUnion(update.flags)
                    }
                    searchValues[traceID, default: []].formUnion(values)
                }
                for (part, chunkID) in zip(parts, try chunks.write(parts, resourceID: resourceID, db)) {
                    traces[part.traceID]!.chunkIDs.append(chunkID)
                }
            }
        }
        for (traceID, update) in traces {
            pendingTraces.append((traceID, update))
            for value in searchValues[traceID, default: []] {
                pendingSearch.append(
                    SearchEntry(keyID: value.keyID, value: value.value, startNanos: update.aggregate.startNanos, traceID: traceID))
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

    private func keyID(_ key: String) throws -> Int64 {
        if let id = keyIDs[key] { return id }
        let id = try Interned.indexKey(key, db)
        keyIDs[key] = id
        return id
    }

    /// Writes the summaries and search entries of every batch inserted so far.
    func finish() throws {
        pendingTraces.sort { $0.0 < $1.0 }
        for (traceID, update) in pendingTraces { try upsert(traceID, update) }
        pendingSearch.sort { ($0.keyID, $0.value, $0.startNanos, $0.traceID) < ($1.keyID, $1.value, $1.startNanos, $1.traceID) }
        for entry in pendingSearch {
            insertSearchEntry.bind(1, segment)
            insertSearchEntry.bind(2, entry.keyID)
            insertSearchEntry.bind(3, text: entry.value)
            insertSearchEntry.bind(4, Int64(entry.startNanos))
            insertSearchEntry.bind(5, blob: entry.traceID.bytes)
            try insertSearchEntry.execute()
        }
        pendingTraces.removeAll()
        pendingSearch.removeAll()
    }

    private func upsert(_ traceID: TraceID, _ update: TraceUpdate) throws {
        let trace = update.aggregate
        upsertTrace.bind(1, blob: traceID.bytes)
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
        try upsertTrace.execute()
    }
}

/// Splits a scope's spans by trace, keeping the order in which traces first appear.
enum TraceParts {
    static func group(_ spans: [Span]) -> [(TraceID, [Span])] {
        var order: [TraceID] = []
        var byTrace: [TraceID: [Span]] = [:]
        for span in spans {
            if byTrace[span.traceID] == nil { order.append(span.traceID) }
            byTrace[span.traceID, default: []].append(span)
        }
        return order.map { ($0, byTrace[$0]!) }
    }
}
