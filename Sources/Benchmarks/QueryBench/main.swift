import Analyzer
import Foundation
import GRDB
import KeiroModel
import Store
import TestSupport

// Query benchmark (issue 5): complete demo-topology traces (`DemoTraces`, ~9.4 spans per
// trace, start times over the last 2 hours) written into a fresh on-disk store with
// `insertDirectly`, then each query kind run many times with varied parameters; prints
// p50/p99/max per kind, the stored bytes per span and the targets met or missed. With
// several sizes (`--spans 1000000,10000000`) it also prints the ratio of the largest to
// the smallest size per query kind.
//
// Usage: QueryBench [--spans N[,N…]] [--queries Q] [--flames F] [--budget SECONDS-PER-KIND] [--keep] [--seed S]
//                   [--db EXISTING.sqlite] [--only QUERY-NAME-PART]

func option(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

let sizes = (option("--spans") ?? "1000000").split(separator: ",").map { Int($0.replacingOccurrences(of: "_", with: ""))! }
let queriesPerKind = option("--queries").flatMap { Int($0) } ?? 200
let flames = option("--flames").flatMap { Int($0) } ?? 10
let seed = option("--seed").flatMap { UInt64($0) } ?? 42
let keep = CommandLine.arguments.contains("--keep")
let budgetSeconds = option("--budget").flatMap { Double($0) } ?? 60
/// `--db PATH`: query an existing store instead of generating one (e.g. one kept by `--keep`).
let reusedPath = option("--db")
/// `--only TEXT`: run only the query kinds whose name contains TEXT.
let only = option("--only")

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func fixed(_ value: Double, _ decimals: Int = 2) -> String {
    String(format: "%.\(decimals)f", value)
}

func loadAverage() -> String {
    ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
}

/// Durations of one query kind, in milliseconds.
struct Timings {
    var name: String
    var target: Double?
    var milliseconds: [Double] = []
    var results = 0

    func percentile(_ p: Double) -> Double {
        let sorted = milliseconds.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
    }

    var verdict: String {
        guard let target else { return "" }
        return percentile(0.99) < target ? "met (< \(Int(target)) ms)" : "MISSED (< \(Int(target)) ms)"
    }
}

/// Runs `body` `count` times, timing each call; stops early once the kind has taken
/// `budgetSeconds` (the table shows how many runs there were).
func measure(_ name: String, target: Double?, count: Int, _ body: (Int) async throws -> Int) async rethrows -> Timings {
    var timings = Timings(name: name, target: target)
    if let only, !name.contains(only) { return timings }
    let clock = ContinuousClock()
    let kindStarted = clock.now
    for index in 0..<count {
        if index > 0 && seconds(clock.now - kindStarted) > budgetSeconds { break }
        let started = clock.now
        timings.results += try await body(index)
        timings.milliseconds.append(seconds(clock.now - started) * 1000)
    }
    return timings
}

struct SizeResult {
    var spans: Int
    var timings: [Timings]
}

/// Writes `DemoTraces` into `store` in transactions as large as its writer makes them;
/// returns the spans stored.
func load(_ requested: Int, into store: SQLiteSpanStore, now: UInt64) throws -> Int {
    var traffic = DemoTraces(seed: seed, spans: requested, endNanos: now)
    print("== \(requested) spans: loading (load average \(loadAverage()))")
    let clock = ContinuousClock()
    let started = clock.now
    var inserting = Duration.zero
    var group: [SpanBatch] = []
    var groupSpans = 0
    var stored = 0
    var batches = 0
    func flush() throws {
        let insertStarted = clock.now
        stored += try store.insertDirectly(group).stored
        inserting += clock.now - insertStarted
        group.removeAll(keepingCapacity: true)
        groupSpans = 0
    }
    while let batch = traffic.next() {
        batches += 1
        if groupSpans + batch.spanCount > store.configuration.maxSpansPerTransaction { try flush() }
        group.append(batch)
        groupSpans += batch.spanCount
        if batches % 2000 == 0 {
            print("   \(stored) spans, \(fixed(Double(stored) / seconds(inserting), 0)) spans/s into the store, load average \(loadAverage())")
        }
    }
    try flush()
    let total = clock.now - started
    precondition(stored == traffic.spansGenerated, "stored \(stored) of \(traffic.spansGenerated)")
    print(String(
        format: "   %d spans, %d traces (%.2f spans/trace) in %d batches; store: %.0f spans/s (%.1f s), with generation %.1f s",
        stored, traffic.tracesGenerated, Double(stored) / Double(traffic.tracesGenerated), batches,
        Double(stored) / seconds(inserting), seconds(inserting), seconds(total)))
    return stored
}

func run(spans requested: Int) async throws -> SizeResult {
    let directory = try TemporaryDirectory(prefix: "keiro-qbench")
    defer { if keep { print("kept: \(directory.path)") } else { directory.remove() } }
    let path = reusedPath ?? directory.file("spans.sqlite")
    let store = try SQLiteSpanStore(configuration: StoreConfiguration(path: path))
    var now = UInt64(Date().timeIntervalSince1970 * 1e9)
    let stored: Int
    // The span file and the index file beside it (summaries, homes, search entries).
    let database = try DatabaseQueue(path: path)
    let indexDatabase = try DatabaseQueue(path: SQLiteSpanStore.indexPath(forStore: path))
    if reusedPath == nil {
        stored = try load(requested, into: store, now: now)
    } else {
        // An existing store (`--db`): its newest span stands for the generator's "now".
        stored = try await database.read { db in try Int.fetchOne(db, sql: "SELECT sum(span_count) FROM segments")! }
        now = UInt64(try await indexDatabase.read { db in try Int64.fetchOne(db, sql: "SELECT max(end_ns) FROM traces")! })
        print("== \(path): \(stored) spans")
    }
    for file in [database, indexDatabase] {
        try await file.writeWithoutTransaction { db in _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }
    let bytes = store.databaseSize
    let perSpan = Double(bytes) / Double(stored)
    print("   stored size: \(fixed(Double(bytes) / 1_048_576, 1)) MiB = \(fixed(perSpan, 0)) bytes/span (span and index files + WALs after checkpoint; target ≤ 200: \(perSpan <= 200 ? "met" : "MISSED"))")
    let tables = try? [database, indexDatabase].flatMap { file in
        try file.read { db in
            try Row.fetchAll(db, sql: "SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 8")
        }
    }.sorted { ($0["bytes"] as Int64) > ($1["bytes"] as Int64) }.prefix(8)
    for row in tables ?? [] {
        let tableBytes = Double(row["bytes"] as Int64)
        print("     \(row["name"] as String): \(fixed(tableBytes / 1_048_576, 1)) MiB, \(fixed(tableBytes / Double(stored), 0)) B/span")
    }

    // MARK: Query parameters
    var random = SplitMix64(seed: seed ^ 0x5eed)
    func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
    let traceIDs = try await indexDatabase.read { db in
        try Data.fetchAll(db, sql: "SELECT trace_id FROM traces ORDER BY random() LIMIT ?", arguments: [queriesPerKind])
    }.map { TraceID(bytes: $0)! }
    try database.close()
    try indexDatabase.close()
    let routes = ["/search", "/aggregate", "/reviews", "/items", "/hello"]
    let headers: [[String: String]] = [["feature": "v1"], ["feature": "v2"], ["service-router-svca-demo": "svca-pr1.demo"]]
    let flagNames = ["retried", "timeout", "per-try-timeout", "overall-timeout", "canary", "header-route", "error"]
    let minutes: UInt64 = 60_000_000_000
    // Jaeger-style lookbacks ending now; nil = all of the store.
    let lookbacks: [UInt64?] = [15 * minutes, 60 * minutes, 120 * minutes, nil]
    func since(_ lookback: UInt64?) -> UInt64? { lookback.map { now - $0 } }
    let durations: [UInt64] = [50, 100, 250, 500, 1000, 3000, 6000].map { $0 * 1_000_000 }

    // MARK: Queries
    print("   queries (\(queriesPerKind) each, load average \(loadAverage()))")
    var timings: [Timings] = []
    timings.append(try await measure("trace by id", target: 5, count: queriesPerKind) { index in
        let spans = try await store.trace(traceIDs[index % traceIDs.count])
        precondition(!spans.isEmpty, "a stored trace came back empty")
        return spans.count
    })
    timings.append(try await measure("route (lookback)", target: 100, count: queriesPerKind) { _ in
        try await store.findTraces(TraceQuery(route: pick(routes), startAfter: since(pick(lookbacks)))).count
    })
    timings.append(try await measure("route, past 15 min", target: 100, count: queriesPerKind) { _ in
        let from = now - 120 * minutes + random.next() % (105 * minutes)
        return try await store.findTraces(TraceQuery(route: pick(routes), startAfter: from, startBefore: from + 15 * minutes)).count
    })
    timings.append(try await measure("header", target: 100, count: queriesPerKind) { _ in
        try await store.findTraces(TraceQuery(headers: pick(headers), startAfter: since(pick(lookbacks)))).count
    })
    timings.append(try await measure("flag", target: 100, count: queriesPerKind) { _ in
        try await store.findTraces(TraceQuery(flags: [pick(flagNames)], startAfter: since(pick(lookbacks)))).count
    })
    timings.append(try await measure("trace duration ≥ X", target: 100, count: queriesPerKind) { _ in
        try await store.findTraces(TraceQuery(minDuration: pick(durations), startAfter: since(pick(lookbacks)))).count
    })
    timings.append(try await measure("route + duration", target: 100, count: queriesPerKind) { _ in
        try await store.findTraces(TraceQuery(route: pick(routes), minDuration: pick(durations), startAfter: since(pick(lookbacks)))).count
    })
    var flameTraces = 0
    var flameStacks = 0
    timings.append(try await measure("1h flame, /search", target: nil, count: flames) { _ in
        let found = try await store.findTraces(TraceQuery(route: "/search", startAfter: now - 60 * minutes, limit: 1000))
        var folded = FoldedStacks()
        for summary in found {
            let spans = try await store.trace(summary.traceID)
            folded.add(TraceTree(
                spans.map { AnalyzedSpan(span: $0.span, service: $0.serviceName, resource: $0.resource) },
                options: TreeOptions(traceID: summary.traceID)))
        }
        flameTraces = found.count
        flameStacks = folded.counts.count
        return found.count
    })
    if flameTraces > 0 { print("   1h flame: \(flameTraces) traces → \(flameStacks) stacks") }
    print("   | query | runs | p50 ms | p99 ms | max ms | avg results | target p99 |")
    print("   | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for timing in timings where !timing.milliseconds.isEmpty {
        let cells = [
            fixed(timing.percentile(0.5)), fixed(timing.percentile(0.99)), fixed(timing.milliseconds.max()!),
            fixed(Double(timing.results) / Double(timing.milliseconds.count), 1),
        ]
        print("   | \(timing.name) | \(timing.milliseconds.count) | \(cells.joined(separator: " | ")) | \(timing.verdict) |")
    }
    print("   load average after queries: \(loadAverage())")
    return SizeResult(spans: stored, timings: timings)
}

var results: [SizeResult] = []
for size in sizes {
    results.append(try await run(spans: size))
}
if results.count > 1, let small = results.first, let large = results.last {
    print("== ratio \(large.spans) / \(small.spans) spans (\(fixed(Double(large.spans) / Double(small.spans), 1))× the data)")
    print("   | query | p50 ratio | p99 ratio |")
    print("   | --- | ---: | ---: |")
    for (a, b) in zip(small.timings, large.timings) where !a.milliseconds.isEmpty && !b.milliseconds.isEmpty {
        print("   | \(a.name) | \(fixed(b.percentile(0.5) / a.percentile(0.5))) | \(fixed(b.percentile(0.99) / a.percentile(0.99))) |")
    }
}
