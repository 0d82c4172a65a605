import Foundation
import GRDB

/// The schema migrations: the SQL files of `schemas/sqlite/` (bundled as resources),
/// applied in file-name order, each once, at start-up. A migration that moves data the
/// SQL cannot express runs its Swift step right after its SQL, in the same transaction.
enum Migrations {
    struct Missing: Error, CustomStringConvertible {
        var description: String { "the bundled SQL migrations (schemas/sqlite) are missing" }
    }

    private static let dataSteps: [String: @Sendable (Database) throws -> Void] = [
        "0002_trace_chunks": Version1SpanRows.convert,
        "0004_trace_homes": SplitTraceSummaries.merge,
    ]

    static func migrator() throws -> DatabaseMigrator {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else { throw Missing() }
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        guard !files.isEmpty else { throw Missing() }
        var migrator = DatabaseMigrator()
        for file in files {
            let sql = try String(contentsOf: file, encoding: .utf8)
            let name = file.deletingPathExtension().lastPathComponent
            let dataStep = dataSteps[name]
            migrator.registerMigration(name) { db in
                try db.execute(sql: sql)
                try dataStep?(db)
            }
        }
        return migrator
    }
}
