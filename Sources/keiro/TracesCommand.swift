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

        func openStore() throws -> SQLiteSpanStore {
            guard FileManager.default.fileExists(atPath: db) else {
                throw ValidationError("no Keiro database at \(db); pass --db PATH (the file `keiro collector --db` writes)")
            }
            return try SQLiteSpanStore(configuration: StoreConfiguration(path: db))
        }
    }

    /// A trace id given on the command line.
    static func traceID(_ text: String) throws -> TraceID {
        guard let id = TraceID(hex: text) else { throw ValidationError("'\(text)' is not a trace id (32 or 16 hex digits)") }
        return id
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the spans of one trace with their services.")

        @Argument(help: "Trace id: 32 hex digits (16 for a 64-bit Zipkin/B3 id).")
        var traceID: String

        @OptionGroup var options: StoreOptions

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() async throws {
            let id = try TracesCommand.traceID(traceID)
            let spans = try await options.openStore().trace(id)
            guard !spans.isEmpty else { throw NotFound(message: "trace \(id) is not in \(options.db)") }
            if json {
                print(try JSONOutput.encode(spans.map(SpanJSON.init)))
            } else {
                print(TraceTable.render(spans))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Explain one trace: waterfall, critical path, flags with their evidence, warnings.",
            discussion: """
                The waterfall has one line per span: offset from the trace start, duration, bar, \
                hop and span name indented by depth, ✗ on an error, ◆ on the critical path and \
                ⚑ flag[n] on the spans finding n of the Flags section names. Spans stored under \
                the id's low 64 bits (a B3 64-bit hop) are joined when a parent link proves they \
                belong; joins, clock-skew adjustments and missing parents are printed as warnings.
                """)

        @Argument(help: "Trace id: 32 hex digits (16 for a 64-bit Zipkin/B3 id).")
        var traceID: String

        @OptionGroup var options: StoreOptions

        @Flag(help: "Print JSON (summary, flags, findings, warnings, nodes with hop and critical path) instead of text.")
        var json = false

        func run() async throws {
            print(try await output(options.openStore()))
        }

        func output(_ store: SQLiteSpanStore) async throws -> String {
            let id = try TracesCommand.traceID(traceID)
            guard let tree = try await store.tree(of: id, joiningB3Twin: true) else {
                throw NotFound(message: "trace \(id) is not in \(options.db)")
            }
            let view = TraceView(tree: tree, summary: try await store.traceSummary(id))
            return json ? try JSONOutput.encode(TreeJSON(view)) : view.text
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find traces: filters by service, route, header, status, duration, flag and time; newest first by default.",
            discussion: """
                Every filter must hold. The filters are the HTTP API's query
                parameters (GET /api/traces?service=…&flag=…), parsed by the same code.

                Examples:
                  keiro traces list --service gateway --limit 10
                  keiro traces list --header feature=v1
                  keiro traces list --flag retried --route /search --since 1h
                  keiro traces list --errors --min-duration 500ms --order longest
                  keiro traces list --flag canary --flag timeout \\
                      --start 2025-06-01T10:00:00Z --end 2025-06-01T11:00:00Z
                """)

        @OptionGroup var filters: TraceFilterOptions

        @Option(help: "At most this many traces (1–\(TraceQuery.maxLimit)).")
        var limit: Int = 20

        @OptionGroup var options: StoreOptions

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func validate() throws {
            _ = try query(now: unixNanosNow())
        }

        func run() async throws {
            let query = try query(now: unixNanosNow())
            let traces = try await options.openStore().findTraces(query)
            print(try render(traces))
        }

        /// The query the options ask for.
        func query(now: UInt64) throws -> TraceQuery {
            try filters.query(adding: [("limit", String(limit))], now: now)
        }

        func render(_ traces: [TraceSummary]) throws -> String {
            json ? try JSONOutput.encode(traces.map(TraceSummaryJSON.init)) : TraceTable.render(traces)
        }
    }
}

/// A lookup that found nothing: exit code 1 with a message.
struct NotFound: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
