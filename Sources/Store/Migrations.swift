import Foundation
import GRDB

/// The schema migrations: the SQL files of `schemas/sqlite/` (the store file) and of
/// `schemas/sqlite/index/` (the index file, `IndexFile`), bundled as resources, applied in
/// file-name order, each once, at start-up. A migration that moves data the SQL cannot
/// express runs its Swift step right after its SQL, in the same transaction.
enum Migrations {
    struct Missing: Error, CustomStringConvertible {
        var description: String { "the bundled SQL migrations (schemas/sqlite) are missing" }
    }

    /// The store file's migrations; 0006 copies the index it held into `indexFile`.
    static func migrator(indexFile: IndexFile, storePath: String) throws -> DatabaseMigrator {
        try migrator(
            directory: "Migrations",
            steps: [
                "0002_trace_chunks": Version1SpanRows.convert,
                "0004_trace_homes": SplitTraceSummaries.merge,
                "0006_index_file": { db in
                    let storeID = Data((0..<16).map { _ in UInt8.random(in: .min ... .max) })
                    try db.execute(sql: "INSERT INTO store_identity (id, store_id) VALUES (1, ?)", arguments: [storeID])
                    try indexFile.copyIndex(fromStore: storePath, storeID: storeID)
                },
            ])
    }

    /// The index file's migrations.
    static func indexMigrator() throws -> DatabaseMigrator {
        try migrator(directory: "Migrations/index", steps: [:])
    }

    private static func migrator(directory: String, steps: [String: @Sendable (Database) throws -> Void]) throws -> DatabaseMigrator {
        guard let directory = Bundle.module.resourceURL?.appendingPathComponent(directory),
            let names = try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        else { throw Missing() }
        let files = names.filter { $0.pathExtension == "sql" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
        guard !files.isEmpty else { throw Missing() }
        var migrator = DatabaseMigrator()
        for file in files {
            let sql = try String(contentsOf: file, encoding: .utf8)
            let name = file.deletingPathExtension().lastPathComponent
            let step = steps[name]
            migrator.registerMigration(name) { db in
                try db.execute(sql: sql)
                try step?(db)
            }
        }
        return migrator
    }
}
