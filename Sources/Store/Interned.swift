import Foundation
import GRDB

/// Small lookup tables whose rows are shared by many spans: service names, resource +
/// scope bodies and search keys. Each returns the id of the existing or new row.
enum Interned {
    static func service(_ name: String, _ db: Database) throws -> Int64 {
        try db.execute(sql: "INSERT OR IGNORE INTO services (name) VALUES (?)", arguments: [name])
        return try Int64.fetchOne(db, sql: "SELECT id FROM services WHERE name = ?", arguments: [name])!
    }

    static func resource(_ body: [UInt8], serviceID: Int64, _ db: Database) throws -> Int64 {
        let blob = Data(body)
        try db.execute(
            sql: "INSERT OR IGNORE INTO resources (service_id, body) VALUES (?, ?)", arguments: [serviceID, blob])
        return try Int64.fetchOne(db, sql: "SELECT id FROM resources WHERE body = ?", arguments: [blob])!
    }

    static func indexKey(_ name: String, _ db: Database) throws -> Int64 {
        try db.execute(sql: "INSERT OR IGNORE INTO index_keys (name) VALUES (?)", arguments: [name])
        return try Int64.fetchOne(db, sql: "SELECT id FROM index_keys WHERE name = ?", arguments: [name])!
    }
}
