import Foundation
import KeiroModel
import Store

/// A fresh directory under the system temp dir, removed by `remove()`.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "keiro-test") throws {
        path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A path inside the directory.
    public func file(_ name: String) -> String { path + "/" + name }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Runs `body` with a real SQLite store in a fresh file whose writer runs in a child task;
/// the writer is drained and the file removed afterwards.
public func withTemporaryStore<T: Sendable>(
    _ body: @Sendable (SQLiteSpanStore) async throws -> T
) async throws -> T {
    try await withTemporaryStore(configuration: { _ in }, body)
}

/// `withTemporaryStore(_:)` with settings changed by `configuration` (the path is set).
public func withTemporaryStore<T: Sendable>(
    configuration configure: (inout StoreConfiguration) -> Void,
    _ body: @Sendable (SQLiteSpanStore) async throws -> T
) async throws -> T {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    var configuration = StoreConfiguration(path: directory.file("spans.sqlite"))
    configure(&configuration)
    let store = try SQLiteSpanStore(configuration: configuration)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await store.run() }
        defer { store.close() }
        let result = try await body(store)
        store.close()
        try await group.waitForAll()
        return result
    }
}
