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

    /// Writes spans the way schema version 1 stored them: one row each, body prefixed by
    /// its version byte, search entries per span, one summary row.
    private func writeVersion1File(path: String, spans: [Span], resource: Resource, scope: InstrumentationScope) throws {
        let queue = try DatabaseQueue(path: path)
        try Migrations.migrator().migrate(queue, upTo: "0001_spans")
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
