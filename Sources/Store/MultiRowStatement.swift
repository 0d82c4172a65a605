import GRDB

/// An insert of many rows: `VALUES (…), (…), …` with `rowsPerRun` rows per run of the
/// statement, and a one-row twin for the remainder. Used for the search entries, the
/// writer's most numerous rows: a statement run per row (binds, step, reset) cost ~28 % of
/// their CPU. (Tried for the digests and summary upserts too, whose callers need each
/// row's result: with `RETURNING` over many rows they got slower — docs/BENCHMARKS.md.)
struct MultiRowStatement {
    private let single: RawStatement
    private let multiple: RawStatement
    private let columns: Int
    static let rowsPerRun = 32

    /// - Parameters:
    ///   - head: The statement up to `VALUES` (`INSERT INTO t (a, b) VALUES`).
    ///   - columns: Placeholders per row.
    init(_ db: Database, head: String, columns: Int) throws {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        func sql(rows: Int) -> String {
            head + " " + Array(repeating: row, count: rows).joined(separator: ", ")
        }
        single = try RawStatement(db, sql: sql(rows: 1))
        multiple = try RawStatement(db, sql: sql(rows: Self.rowsPerRun))
        self.columns = columns
    }

    /// Writes `rows`: `bind` binds one row's columns from the 1-based placeholder index it is
    /// given (`bind(statement, first, row)` binds `first`, `first + 1`, …).
    func run<Rows: Collection>(_ rows: Rows, bind: (RawStatement, Int32, Rows.Element) -> Void) throws {
        var rest = rows[...]
        while !rest.isEmpty {
            let statement = rest.count >= Self.rowsPerRun ? multiple : single
            let run = rest.prefix(rest.count >= Self.rowsPerRun ? Self.rowsPerRun : 1)
            for (offset, row) in run.enumerated() { bind(statement, Int32(offset * columns + 1), row) }
            try statement.execute()
            rest = rest.dropFirst(run.count)
        }
    }
}
