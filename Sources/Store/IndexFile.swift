import Foundation
import GRDB

/// The search index's own SQLite file, `<store path>-index` (schemas/sqlite/index), and the
/// indexer's connection to it: the only one that writes it. The store's readers attach
/// the file as `idx`. The writer connection attaches nothing: SQLite's write transactions
/// (GRDB's are `IMMEDIATE`) would take the write lock of every attached file.
final class IndexFile: Sendable {
    /// The file of the index of the store at `storePath`.
    static func path(forStore storePath: String) -> String { storePath + "-index" }

    let path: String
    let writer: DatabaseQueue

    /// Opens (creating if needed) the index file of the store at `storePath` and applies
    /// its pending migrations.
    init(storePath: String, synchronous: String) throws {
        path = Self.path(forStore: storePath)
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // The newest segment's trace-id indexes stay in the page cache; checkpoints run in the indexer's thread.
            try db.execute(sql: "PRAGMA journal_mode = WAL; " + ConnectionPragmas.sql(synchronous: synchronous, cacheKiB: 262_144))
        }
        writer = try DatabaseQueue(path: path, configuration: config)
        try Migrations.indexMigrator().migrate(writer)
    }

    /// A read-only connection to the store file at `storePath` that sees its index, as the
    /// store's readers do: for tools and tests that look at the tables themselves.
    static func inspector(forStore storePath: String) throws -> DatabaseQueue {
        var config = Configuration()
        config.readonly = true
        config.prepareDatabase { db in
            try db.execute(sql: "ATTACH DATABASE ? AS idx", arguments: [path(forStore: storePath)])
        }
        return try DatabaseQueue(path: storePath, configuration: config)
    }

    /// The highest chunk id indexed: every chunk up to it is in the index.
    static func indexedThrough(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT indexed_through FROM index_state WHERE id = 1") ?? 0
    }

    static func setIndexedThrough(_ chunkID: Int64, _ db: Database) throws {
        try db.execute(sql: "UPDATE index_state SET indexed_through = ? WHERE id = 1", arguments: [chunkID])
    }

    /// Makes the index that of the store `storeID` whose last chunk is `lastChunk`: an index
    /// of another store file, of none yet, or ahead of the store (its file restored from
    /// an older copy, whose next chunks would reuse ids the index covers) is emptied and
    /// marks nothing indexed, so that the store's chunks are indexed again (`IndexCatchUp`).
    func adopt(storeID: Data, lastChunk: Int64) throws {
        func belongs(_ db: Database) throws -> Bool {
            let state = try Row.fetchOne(db, sql: "SELECT store_id, indexed_through FROM index_state WHERE id = 1")
            guard let state else { return false }
            return (state["store_id"] as Data) == storeID && (state["indexed_through"] as Int64) <= lastChunk
        }
        // Read first: a CLI opening a running collector's files takes no write lock.
        if try writer.read(belongs) { return }
        try writer.write { db in
            if try belongs(db) { return }
            try Self.empty(db)
            try db.execute(sql: "INSERT INTO index_state (id, store_id, indexed_through) VALUES (1, ?, 0)", arguments: [storeID])
        }
    }

    /// Copies the index tables of a store file that still holds them (schemas/sqlite/0006),
    /// replacing whatever this file has, in this file's own transaction; the index then
    /// belongs to `storeID`. Chunks the old index had not indexed yet stay above the mark.
    func copyIndex(fromStore storePath: String, storeID: Data) throws {
        try writer.writeWithoutTransaction { db in
            // Attached only here, for a read in a deferred transaction (no lock on the store).
            try db.execute(sql: "ATTACH DATABASE ? AS store", arguments: [storePath])
            defer { try? db.execute(sql: "DETACH DATABASE store") }
            try db.inTransaction(.deferred) {
                try Self.empty(db)
                try db.execute(
                    sql: """
                        INSERT INTO main.index_keys (id, name) SELECT id, name FROM store.index_keys;
                        INSERT INTO main.trace_homes (trace_id, segment) SELECT trace_id, segment FROM store.trace_homes;
                        INSERT INTO main.traces (\(Self.summaryColumns)) SELECT \(Self.summaryColumns) FROM store.traces;
                        INSERT INTO main.trace_search (segment, key_id, value, trace_id)
                            SELECT segment, key_id, value, trace_id FROM store.trace_search;
                        INSERT INTO main.segment_bounds (id, trace_count, min_start_ns, max_start_ns, max_duration_ns)
                            SELECT id, trace_count, min_start_ns, max_start_ns, max_duration_ns FROM store.segments
                            WHERE trace_count > 0;
                        INSERT INTO main.index_state (id, store_id, indexed_through) VALUES (1, ?, coalesce(
                            (SELECT min(id) - 1 FROM store.unindexed_chunks), (SELECT max(id) FROM store.chunks), 0));
                        """,
                    arguments: [storeID])
                return .commit
            }
        }
    }

    private static let summaryColumns = """
        segment, trace_id, start_ns, end_ns, span_count, error_count, root_span_id, root_has_parent, root_start_ns,
        root_service_id, root_name, root_route, flags, chunks
        """

    private static func empty(_ db: Database) throws {
        for table in ["index_state", "trace_search", "traces", "trace_homes", "index_keys", "segment_bounds"] {
            try db.execute(sql: "DELETE FROM main.\(table)")
        }
    }
}
