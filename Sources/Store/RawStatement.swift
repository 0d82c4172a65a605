import GRDB
import GRDBSQLite
import KeiroModel

/// Binds and steps one of GRDB's cached statements through the SQLite C API. Used only
/// in the writer's per-span loop, where GRDB's `StatementArguments` cost about 2.5× the
/// raw binds (DESIGN.md); everything else goes through GRDB's API.
struct RawStatement {
    private let statement: Statement
    private let connection: OpaquePointer

    init(_ db: Database, sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        connection = db.sqliteConnection!
    }

    private var handle: OpaquePointer { statement.sqliteStatement }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(handle, index, value)
    }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, blob: [UInt8]) {
        blob.withUnsafeBytes { bind(index, bytes: $0) }
    }

    func bind(_ index: Int32, traceID: TraceID) {
        traceID.withUnsafeBytes { bind(index, bytes: $0) }
    }

    func bind(_ index: Int32, bytes buffer: UnsafeRawBufferPointer) {
        // A zero-length blob still binds as a blob, not NULL.
        _ = sqlite3_bind_blob(handle, index, buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(buffer.count), Self.transient)
    }

    func bind(_ index: Int32, text: String) {
        var text = text
        text.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { chars in
                if let base = chars.baseAddress {
                    _ = sqlite3_bind_text(handle, index, base, Int32(chars.count), Self.transient)
                } else {
                    _ = sqlite3_bind_text(handle, index, "", 0, nil)  // empty, but not NULL
                }
            }
        }
    }

    func bind(_ index: Int32, text: String?) {
        if let text { bind(index, text: text) } else { sqlite3_bind_null(handle, index) }
    }

    /// Runs a query (or a write with `RETURNING`) and reads its first row, if any, with
    /// `read`, which gets the integer in a column by index.
    func fetchOne<T>(_ read: ((Int32) -> Int64) -> T) throws -> T? {
        defer { sqlite3_reset(handle) }
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return read { sqlite3_column_int64(handle, $0) }
        case SQLITE_DONE: return nil
        case let code: throw error(code)
        }
    }

    private func error(_ code: Int32) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: statement.sql)
    }

    /// Runs the statement to completion and returns the number of rows it changed.
    @discardableResult
    func execute() throws -> Int {
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else { throw error(code) }
        return Int(sqlite3_changes(connection))
    }
}
