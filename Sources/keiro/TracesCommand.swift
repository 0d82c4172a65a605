import Analyzer
import ArgumentParser
import Foundation
import KeiroModel
import Store
import TraceJSON

/// `keiro traces`: read stored traces.
struct TracesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "traces",
        abstract: "Read traces from a Keiro SQLite store.",
        subcommands: [Get.self, List.self, Show.self])

    struct StoreOptions: ParsableArguments {
        @Option(help: "SQLite database file written by `keiro collector`.")
        var db: String = "keiro.db"

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func openStore() throws -> SQLiteSpanStore {
            guard FileManager.default.fileExists(atPath: db) else {
                throw ValidationError("no Keiro database at \(db); pass --db PATH (the file `keiro collector --db` writes)")
            }
            return try SQLiteSpanStore(configuration: StoreConfiguration(path: db))
        }

        /// The request tree of a stored trace; fails when the id is malformed or unknown.
        func loadTree(_ traceID: String) async throws -> TraceTree {
            guard let id = TraceID(hex: traceID) else {
                throw ValidationError("'\(traceID)' is not a trace id (32 or 16 hex digits)")
            }
            let spans = try await openStore().trace(id)
            guard !spans.isEmpty else { throw NotFound(message: "trace \(id) is not in \(db)") }
            return TraceTree(stored: spans, traceID: id)
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the spans of one trace with their services.")

        @Argument(help: "Trace id: 32 hex digits (16 for a 64-bit Zipkin/B3 id).")
        var traceID: String

        @OptionGroup var options: StoreOptions

        func run() async throws {
            guard let id = TraceID(hex: traceID) else {
                throw ValidationError("'\(traceID)' is not a trace id (32 or 16 hex digits)")
            }
            let spans = try await options.openStore().trace(id)
            guard !spans.isEmpty else { throw NotFound(message: "trace \(id) is not in \(options.db)") }
            if options.json {
                print(try JSONOutput.encode(spans.map(SpanJSON.init)))
            } else {
                print(TraceTable.render(spans))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render a trace as a tree: waterfall with offsets and durations, errors (✗) and the critical path (◆).")

        @Argument(help: "Trace id: 32 hex digits (16 for a 64-bit Zipkin/B3 id).")
        var traceID: String

        @OptionGroup var options: StoreOptions

        func run() async throws {
            let tree = try await options.loadTree(traceID)
            if options.json {
                print(try JSONOutput.encode(TreeJSON(tree)))
            } else {
                print(Waterfall.render(tree))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List recent traces, newest first.")

        @Option(help: "Only traces with a span from this service.")
        var service: String?

        @Option(help: "At most this many traces.")
        var limit: Int = 20

        @OptionGroup var options: StoreOptions

        func validate() throws {
            guard limit > 0 else { throw ValidationError("--limit must be greater than 0") }
        }

        func run() async throws {
            let traces = try await options.openStore().findTraces(TraceQuery(service: service, limit: limit))
            if options.json {
                print(try JSONOutput.encode(traces.map(TraceSummaryJSON.init)))
            } else {
                print(TraceTable.render(traces))
            }
        }
    }
}

/// A lookup that found nothing: exit code 1 with a message.
struct NotFound: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
