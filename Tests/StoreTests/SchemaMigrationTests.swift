import Foundation
import GRDB
import KeiroModel
@testable import Store
import TestSupport
import Testing

/// A file written by schema version 1 (a row per span) opens under the current schema
/// with every span, summary and search entry intact.
@Suite struct SchemaMigrationTests {
    @Test func version1SpanRowsAreConvertedIntoChunks() async throws {
        let directory = try TemporaryDirectory(prefix: "keiro-migration")
        defer { directory.remove() }
        let path = directory.file("v1.sqlite")
        let trace = SpanFixtures.traceID(41)
        let root = SpanFixtures.everyField(trace: trace, id: SpanFixtures.spanID(1), parent: nil, start: 5_000)
        let child = SpanFixtures.httpServerSpan(
            trace: trace, id: SpanFixtures.spanID(2), parent: root.spanID, start: 5_100, durationNanos: 700,
            route: "/items", headers: ["feature": "v1"])
        let resource = Resource(attributes: [Attribute(SemanticAttributes.serviceName, .string("backend-api"))])
        let scope = InstrumentationScope(name: "keiro-test", version: "1")
        try writeVersion1File(path: path, spans: [root, child], resource: resource, scope: scope)

        let store = try SQLiteSpanStore(configuration: StoreConfiguration(path: path))
        let stored = try await store.trace(trace)
        #expect(stored == [root, child].map { StoredSpan(span: $0, resource: resource, scope: scope) })
        let summary = try #require(try await store.traceSummary(trace))
        #expect(summary.spanCount == 2)
        #expect(summary.rootSpanID == root.spanID)
        #expect(try await store.findTraces(TraceQuery(service: "backend-api")).map(\.traceID) == [trace])
        // The same spans posted again are recognised as already stored.
        let again = SpanBatch([ResourceSpans(resource: resource, scopeSpans: [ScopeSpans(scope: scope, spans: [root, child])])])
        #expect(try store.insertDirectly([again]) == WriteOutcome(stored: 0, duplicates: 2))
        let tables = try await DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        }
        #expect(!tables.contains("spans") && !tables.contains("span_index"))
    }

    /// A version-2 file holds a summary row per segment a trace was written in, and a
    /// search entry per batch; version 3 merges them into the trace's home segment.
    @Test func version2SplitSummariesAreMergedIntoTheHomeSegment() async throws {
        let directory = try TemporaryDirectory(prefix: "keiro-migration")
        defer { directory.remove() }
        let path = directory.file("v2.sqlite")
        let trace = SpanFixtures.traceID(51)
        let other = SpanFixtures.traceID(52)
        let root = SpanFixtures.httpServerSpan(
            trace: trace, id: SpanFixtures.spanID(1), parent: nil, start: 1_000, durationNanos: 5_000, route: "/aggregate")
        let child = SpanFixtures.httpServerSpan(
            trace: trace, id: SpanFixtures.spanID(2), parent: root.spanID, start: 2_000, durationNanos: 500, route: "/items",
            status: 503)
        let unrelated = SpanFixtures.httpServerSpan(
            trace: other, id: SpanFixtures.spanID(3), parent: nil, start: 1_500, durationNanos: 100, route: "/search")
        let resource = Resource(attributes: [Attribute(SemanticAttributes.serviceName, .string("gateway"))])
        let scope = InstrumentationScope(name: "keiro-test", version: "1")

        let queue = try DatabaseQueue(path: path)
        try Self.migrator(path).migrate(queue, upTo: "0003_drop_span_rows")
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO segments (id, span_count) VALUES (1, 1), (2, 2)")
            let serviceID = try Interned.service("gateway", db)
            let resourceID = try Interned.resource(SpanBodyCodec.encodeResource(resource, scope: scope), serviceID: serviceID, db)
            let routeKey = try Interned.indexKey(SemanticAttributes.httpRoute, db)
            // The child came first (segment 1), the root and the other trace a segment later.
            let chunks = try ChunkWriter(db).write(
                [child, root, unrelated].map { ChunkCodec.encodePart(traceID: $0.traceID, spans: [$0]) }, resourceID: resourceID, db)
            let rows: [(segment: Int, span: Span, chunk: Int64)] = [(1, child, chunks[0]), (2, root, chunks[1]), (2, unrelated, chunks[2])]
            for row in rows {
                try db.execute(
                    sql: """
                        INSERT INTO traces (segment, trace_id, start_ns, end_ns, span_count, error_count, root_span_id,
                                            root_has_parent, root_start_ns, root_service_id, root_name, root_route, chunks, flags)
                        VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, 0)
                        """,
                    arguments: [
                        row.segment, Data(row.span.traceID.bytes), Int64(row.span.startTimeUnixNano), Int64(row.span.endTimeUnixNano),
                        row.span == child ? 1 : 0, Int64(bitPattern: row.span.spanID.value), row.span.parentSpanID == nil ? 0 : 1,
                        Int64(row.span.startTimeUnixNano), serviceID, row.span.name,
                        row.span.attributes[SemanticAttributes.httpRoute]?.displayString,
                        Data(ChunkCodec.encodeChunkIDs([row.chunk])),
                    ])
            }
            let entries: [(Int, String, Int64, TraceID)] = [
                (1, "/items", 2_000, trace), (2, "/aggregate", 1_000, trace), (2, "/items", 1_000, trace), (2, "/search", 1_500, other),
            ]
            for (segment, value, start, traceID) in entries {
                try db.execute(
                    sql: "INSERT INTO trace_search (segment, key_id, value, start_ns, trace_id) VALUES (?, ?, ?, ?, ?)",
                    arguments: [segment, routeKey, value, start, Data(traceID.bytes)])
            }
        }

        let store = try SQLiteSpanStore(configuration: StoreConfiguration(path: path))
        let summary = try #require(try await store.traceSummary(trace))
        #expect(summary.spanCount == 2 && summary.errorCount == 1)
        #expect(summary.hasRoot && summary.rootSpanID == root.spanID && summary.rootRoute == "/aggregate")
        #expect(summary.startTimeUnixNano == 1_000 && summary.durationNanos == 5_000)
        #expect(try await store.trace(trace).map(\.span) == [root, child])
        #expect(try await store.findTraces(TraceQuery(route: "/items", minDuration: 5_000)).map(\.traceID) == [trace])
        #expect(try await store.findTraces(TraceQuery(route: "/search")).map(\.traceID) == [other])
        let (rows, entries, segments) = try IndexFile.inspector(forStore: path).read { db in
            (try Row.fetchAll(db, sql: "SELECT segment, trace_id FROM traces ORDER BY segment"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM trace_search WHERE trace_id = ?", arguments: [Data(trace.bytes)])!,
             try Row.fetchAll(db, sql: "SELECT trace_count, min_start_ns, max_start_ns, max_duration_ns FROM segment_bounds ORDER BY id"))
        }
        #expect(rows.map { $0["segment"] as Int64 } == [1, 2])  // one row per trace, the split one in its home
        #expect(entries == 2)  // /items once, /aggregate
        #expect(segments.map { [$0[0], $0[1], $0[2], $0[3]] as [Int64] } == [[1, 1_000, 1_000, 5_000], [1, 1_500, 1_500, 100]])
    }

    /// The store file's migrations, for writing files of older versions.
    private static func migrator(_ path: String) throws -> DatabaseMigrator {
        try Migrations.migrator(indexFile: IndexFile(storePath: path, synchronous: "NORMAL"), storePath: path)
    }

    /// Writes spans the way schema version 1 stored them: one row each, body prefixed by
    /// its version byte, search entries per span, one summary row.
    private func writeVersion1File(path: String, spans: [Span], resource: Resource, scope: InstrumentationScope) throws {
        let queue = try DatabaseQueue(path: path)
        try Self.migrator(path).migrate(queue, upTo: "0001_spans")
        try queue.write { db in
            try db.execute(sql: "INSERT INTO segments (id, span_count) VALUES (1, ?)", arguments: [spans.count])
            try db.execute(sql: "INSERT INTO services (id, name) VALUES (1, ?)", arguments: [resource.serviceName])
            try db.execute(
                sql: "INSERT INTO resources (id, service_id, body) VALUES (1, 1, ?)",
                arguments: [Data(SpanBodyCodec.encodeResource(resource, scope: scope))])
            try db.execute(sql: "INSERT INTO index_keys (id, name) VALUES (1, 'http.route')")
            for span in spans {
                var body = ByteWriter()
                body.byte(SpanBodyCodec.version)
                SpanBodyCodec.writeSpanBody(span, into: &body)
                try db.execute(
                    sql: """
                        INSERT INTO spans (segment, trace_id, span_id, kind, parent_id, service_id, resource_id, name,
                                           start_ns, duration_ns, status_code, body)
                        VALUES (1, ?, ?, ?, ?, 1, 1, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        Data(span.traceID.bytes), Int64(bitPattern: span.spanID.value), span.kind.rawValue,
                        span.parentSpanID.map { Int64(bitPattern: $0.value) }, span.name, Int64(span.startTimeUnixNano),
                        Int64(span.durationNanos), span.status.code.rawValue, Data(body.bytes),
                    ])
                if let route = span.attributes[SemanticAttributes.httpRoute]?.displayString {
                    try db.execute(
                        sql: "INSERT INTO span_index (key_id, value, start_ns, trace_id, span_id) VALUES (1, ?, ?, ?, ?)",
                        arguments: [route, Int64(span.startTimeUnixNano), Data(span.traceID.bytes), Int64(bitPattern: span.spanID.value)])
                }
            }
            let first = spans[0]
            try db.execute(
                sql: """
                    INSERT INTO traces (segment, trace_id, start_ns, end_ns, span_count, error_count, root_span_id,
                                        root_has_parent, root_start_ns, root_service_id, root_name, root_route)
                    VALUES (1, ?, ?, ?, ?, 0, ?, 0, ?, 1, ?, NULL)
                    """,
                arguments: [
                    Data(first.traceID.bytes), Int64(first.startTimeUnixNano),
                    Int64(spans.map(\.endTimeUnixNano).max()!), spans.count, Int64(bitPattern: first.spanID.value),
                    Int64(first.startTimeUnixNano), first.name,
                ])
        }
    }
}
