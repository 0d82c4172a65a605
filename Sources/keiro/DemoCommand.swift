import ArgumentParser
import AsyncHTTPClient
import Foundation
import KeiroModel
import Store

/// `keiro demo`: the whole topology of the routing scenarios as separate processes on
/// loopback, a bounded traffic mix through it, and a summary of what the traces show.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start edge → gateway → BFF → sidecar → backends with a collector, send a traffic mix, summarise the traces.")

    @Option(help: "Directory with the demo's route configs (edge, gateway, sidecar VirtualServices, endpoints).")
    var configDir: String = "tools/demo"

    @Option(help: "SQLite database the demo's collector writes (replaced on each run).")
    var db: String = "keiro-demo.db"

    @Option(help: "Requests sent through the edge.")
    var requests: Int = 200

    @Option(help: "Port of the demo collector.")
    var collectorPort: Int = 4318

    func validate() throws {
        guard (1...10_000).contains(requests) else { throw ValidationError("--requests must be between 1 and 10000") }
    }

    func run() async throws {
        // A fresh database: the span file, its index file and their WAL files.
        for file in [db, SQLiteSpanStore.indexPath(forStore: db)] {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
        }
        let topology = DemoTopology(configDir: configDir, db: db, collectorPort: collectorPort)
        try topology.start()
        defer { topology.stop() }
        print("starting \(topology.processes.count) processes (logs in \(DemoTopology.logDirectory)/) …")
        try await topology.waitUntilListening()
        print("topology up: edge http://127.0.0.1:8080, collector http://127.0.0.1:\(collectorPort)")

        let sent = try await DemoTraffic(count: requests).send(client: .shared)
        print("\nsent \(requests) requests: " + sent.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))

        // Let the proxies' exporters flush (1 s batches), then stop everything gracefully.
        try await Task.sleep(for: .seconds(2))
        topology.stop()
        let store = try SQLiteSpanStore(configuration: StoreConfiguration(path: db))
        print(try await DemoSummary(store: store).render(db: db))
    }
}
