import ArgumentParser
import Collector
import Foundation
import Store

/// `keiro ingest`: load spans from files into a store.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Load spans from files into a Keiro SQLite store.",
        subcommands: [ALBLogs.self])

    struct ALBLogs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "alb-logs",
            abstract: "Turn AWS ALB access log files (plain or .gz) into edge spans, one per request.",
            discussion: """
                Each line becomes a SERVER span of the load balancer in the trace its X-Amzn-Trace-Id Root names
                (the W3C trace id is the Root's 8 + 24 hex digits), so downloaded ALB logs join the traces that
                Keiro's proxies or OpenTelemetry SDKs reported. Ingesting a file twice stores its spans once.
                """)

        @Argument(help: "Access log files.")
        var paths: [String]

        @Option(help: "SQLite database file (created if missing).")
        var db: String = "keiro.db"

        func run() async throws {
            let store = try SQLiteSpanStore(configuration: StoreConfiguration(path: db))
            let ingest = ALBLogIngest()
            var failed = false
            try await withThrowingTaskGroup(of: Void.self) { writer in
                writer.addTask { await store.run() }
                defer { store.close() }
                for path in paths {
                    let result = try await ingest.ingest(file: path, into: store)
                    print("\(path): \(result.lines) lines, \(result.outcome.stored) spans stored, \(result.outcome.duplicates) already stored, \(result.malformed.count) malformed")
                    for (line, reason) in result.malformed.prefix(10) {
                        FileHandle.standardError.write(Data("\(path):\(line): \(reason)\n".utf8))
                    }
                    failed = failed || !result.malformed.isEmpty
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}
