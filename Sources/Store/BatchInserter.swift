import Foundation
import GRDB
import KeiroModel

/// Writes span batches inside the writer's open transaction. Each batch runs in its own
/// savepoint, so a failing batch is rolled back whole while the rest of the group commits.
struct BatchInserter {
    private let db: Database
    private let segment: Int64
    private let indexed: IndexedAttributes
    private let insertSpan: RawStatement
    private let insertIndexEntry: RawStatement
    private let upsertTrace: RawStatement

    /// Prepares to insert into `segment` (see `Segments`).
    init(_ db: Database, segment: Int64, indexed: IndexedAttributes) throws {
        self.db = db
        self.segment = segment
        self.indexed = indexed
        insertSpan = try RawStatement(
            db,
            sql: """
                INSERT OR IGNORE INTO spans (trace_id, span_id, kind, parent_id, service_id, resource_id, name,
                                             start_ns, duration_ns, status_code, body, segment)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                """)
        insertIndexEntry = try RawStatement(
            db,
            sql: "INSERT OR IGNORE INTO span_index (key_id, value, start_ns, trace_id, span_id) VALUES (?1, ?2, ?3, ?4, ?5)")
        upsertTrace = try RawStatement(db, sql: TraceAggregate.upsertSQL)
    }

    /// Inserts one batch atomically (savepoint) and reports what it stored.
    func insert(_ batch: SpanBatch) throws -> WriteOutcome {
        try db.execute(sql: "SAVEPOINT batch")
        do {
            let outcome = try insertSpans(of: batch)
            try db.execute(sql: "RELEASE batch")
            return outcome
        } catch {
            try? db.execute(sql: "ROLLBACK TO batch")
            try? db.execute(sql: "RELEASE batch")
            throw error
        }
    }

    private func insertSpans(of batch: SpanBatch) throws -> WriteOutcome {
        var outcome = WriteOutcome()
        var traces: [TraceID: TraceAggregate] = [:]
        var serviceIDs: [String: Int64] = [:]
        var indexKeyIDs: [String: Int64] = [:]
        for resourceSpans in batch.resourceSpans {
            let serviceName = resourceSpans.resource.serviceName
            let serviceID = try serviceIDs[serviceName] ?? internService(serviceName)
            serviceIDs[serviceName] = serviceID
            for scopeSpans in resourceSpans.scopeSpans where !scopeSpans.spans.isEmpty {
                let resourceID = try internResource(
                    SpanBodyCodec.encodeResource(resourceSpans.resource, scope: scopeSpans.scope), serviceID: serviceID)
                for span in scopeSpans.spans {
                    let traceID = span.traceID.bytes
                    let spanID = Int64(bitPattern: span.spanID.value)
                    let start = Int64(span.startTimeUnixNano)
                    insertSpan.bind(1, blob: traceID)
                    insertSpan.bind(2, spanID)
                    insertSpan.bind(3, Int64(span.kind.rawValue))
                    insertSpan.bind(4, span.parentSpanID.map { Int64(bitPattern: $0.value) })
                    insertSpan.bind(5, serviceID)
                    insertSpan.bind(6, resourceID)
                    insertSpan.bind(7, text: span.name)
                    insertSpan.bind(8, start)
                    insertSpan.bind(9, Int64(span.durationNanos))
                    insertSpan.bind(10, Int64(span.status.code.rawValue))
                    insertSpan.bind(11, blob: SpanBodyCodec.encodeSpan(span))
                    insertSpan.bind(12, segment)
                    guard try insertSpan.execute() == 1 else {
                        outcome.duplicates += 1
                        continue
                    }
                    outcome.stored += 1
                    try indexed.forEachEntry(of: span) { key, value in
                        let keyID = try indexKeyIDs[key] ?? internIndexKey(key)
                        indexKeyIDs[key] = keyID
                        insertIndexEntry.bind(1, keyID)
                        insertIndexEntry.bind(2, text: value)
                        insertIndexEntry.bind(3, start)
                        insertIndexEntry.bind(4, blob: traceID)
                        insertIndexEntry.bind(5, spanID)
                        try insertIndexEntry.execute()
                    }
                    let aggregate = TraceAggregate(span: span, serviceID: serviceID)
                    if traces[span.traceID] != nil { traces[span.traceID]!.merge(aggregate) } else { traces[span.traceID] = aggregate }
                }
            }
        }
        for (traceID, trace) in traces {
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
            try upsertTrace.execute()
        }
        return outcome
    }

    private func internService(_ name: String) throws -> Int64 {
        try db.execute(sql: "INSERT OR IGNORE INTO services (name) VALUES (?)", arguments: [name])
        return try Int64.fetchOne(db, sql: "SELECT id FROM services WHERE name = ?", arguments: [name])!
    }

    private func internResource(_ body: [UInt8], serviceID: Int64) throws -> Int64 {
        let blob = Data(body)
        try db.execute(
            sql: "INSERT OR IGNORE INTO resources (service_id, body) VALUES (?, ?)", arguments: [serviceID, blob])
        return try Int64.fetchOne(db, sql: "SELECT id FROM resources WHERE body = ?", arguments: [blob])!
    }

    private func internIndexKey(_ name: String) throws -> Int64 {
        try db.execute(sql: "INSERT OR IGNORE INTO index_keys (name) VALUES (?)", arguments: [name])
        return try Int64.fetchOne(db, sql: "SELECT id FROM index_keys WHERE name = ?", arguments: [name])!
    }
}
