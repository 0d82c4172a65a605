import AsyncHTTPClient
import Collector
import Deflate
import Foundation
import KeiroModel
import Logging
import NIOCore
import OTLPWire
import ServiceLifecycle
import Store
import TestSupport

// Ingest benchmark: gzip OTLP protobuf batches of 512–2048 spans posted over loopback by
// several concurrent connections to an in-process collector (release build, fresh SQLite
// files), versus the ceiling: the same batches written straight into a fresh store by as
// many concurrent tasks (no HTTP, no decompression, no decoding). Both runs end when the
// last batch is acknowledged and the search index covers it. Prints spans/s for both, the
// ratio and peak RSS, and between them the CPU that decompressing and decoding alone take
// per span.
//
// Usage: IngestBench [--spans N] [--connections C] [--traffic unique|demo] [--ceiling-only | --e2e-only]
//                    [--segment-spans N] [--retention-ms N] [--keep]
//
// Traffic: `unique` (default) — every batch is one proxy's spans of traces seen nowhere
// else (~2 spans per trace: the worst case for the per-trace index); `demo` — complete
// traces of the demo topology (`DemoTraces`, ~9.4 spans per trace), each process's spans
// in its own batches, as the collector receives them from a real deployment.

func argument(_ name: String, default value: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let parsed = Int(arguments[index + 1]) else {
        return value
    }
    return parsed
}

func peakRSSMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func currentRSSMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
    else { return 0 }
    return Double(line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0) / 1024
}

let totalSpans = argument("--spans", default: 1_000_000)
let connections = argument("--connections", default: 4)

// MARK: Payloads, prepared before timing
let trafficKind = CommandLine.arguments.firstIndex(of: "--traffic").map { CommandLine.arguments[$0 + 1] } ?? "unique"
guard trafficKind == "unique" || trafficKind == "demo" else { fatalError("--traffic must be unique or demo") }
let demoTraffic = trafficKind == "demo"
var batches: [SpanBatch] = []
var bodies: [[UInt8]] = []
var generated = 0
let baseTime = UInt64(Date().timeIntervalSince1970) * 1_000_000_000
if demoTraffic {
    // Demo-topology traces over the last ten minutes (~1.7k traces/s at 1M spans).
    var demo = DemoTraces(seed: 42, spans: totalSpans, endNanos: baseTime, window: .seconds(600))
    while let batch = demo.next() {
        generated += batch.spanCount
        batches.append(batch)
        bodies.append(try gzip(try batch.otlpRequest.serializedBytes()))
    }
} else {
    var traffic = SyntheticTraffic(seed: 42)
    while generated < totalSpans {
        // Exporters send recent spans: each batch covers the second after the previous one's start (~100k spans/s of traffic).
        let batch = traffic.batch(
            spans: min(traffic.size(in: 512...2048), totalSpans - generated), startNanos: baseTime + UInt64(generated) * 10_000)
        generated += batch.spanCount
        batches.append(batch)
        bodies.append(try gzip(try batch.otlpRequest.serializedBytes()))
    }
}
let compressedMiB = Double(bodies.reduce(0) { $0 + $1.count }) / 1_048_576
print("payload (\(demoTraffic ? "demo" : "unique") traffic): \(generated) spans in \(batches.count) batches (512–2048 spans), \(String(format: "%.1f", compressedMiB)) MiB gzip, \(connections) connections")
print(String(format: "RSS after preparing payloads: %.0f MiB", currentRSSMiB()))

let ceilingOnly = CommandLine.arguments.contains("--ceiling-only")

/// The store's defaults; `--segment-spans N` overrides the segment size to compare, and
/// `--retention-ms N` sets a retention, to measure ingest while expired segments are dropped.
func storeConfiguration(path: String) -> StoreConfiguration {
    var configuration = StoreConfiguration(path: path)
    if CommandLine.arguments.contains("--segment-spans") {
        configuration.segmentSpans = argument("--segment-spans", default: configuration.segmentSpans)
    }
    if CommandLine.arguments.contains("--retention-ms") {
        configuration.retention = .milliseconds(argument("--retention-ms", default: 0))
    }
    return configuration
}

/// CPU seconds (user + system) this process has used: steadier than wall time when the
/// machine is shared, and the number that shows what a span costs.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
let e2eCPUStart = cpuSeconds()

// MARK: End to end: HTTP + gunzip + protobuf decode + store
let directory = try TemporaryDirectory(prefix: "keiro-ingest-bench")
let keepDatabases = CommandLine.arguments.contains("--keep")  // leave the files for inspection
defer { if keepDatabases { print("databases kept in \(directory.path)") } else { directory.remove() } }
var logger = Logger(label: "keiro.bench")
logger.logLevel = .error
let collector = try Collector(
    configuration: CollectorConfiguration(port: 0, store: storeConfiguration(path: directory.file("e2e.sqlite"))), logger: logger)
let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
let group = ServiceGroup(
    configuration: ServiceGroupConfiguration(services: [collector.application { portContinuation.yield($0) }], logger: logger))
let sendBodies = bodies
let (endToEnd, writerSummary): (Duration, String) = ceilingOnly ? (.seconds(1), "") : try await withThrowingTaskGroup(of: Void.self) { tasks in
    tasks.addTask { try await group.run() }
    var iterator = ports.makeAsyncIterator()
    let port = await iterator.next()!
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    let url = "http://127.0.0.1:\(port)/v1/traces"
    let clock = ContinuousClock()
    let started = clock.now
    try await withThrowingTaskGroup(of: Void.self) { posters in
        for connection in 0..<connections {
            posters.addTask {
                for index in stride(from: connection, to: sendBodies.count, by: connections) {
                    var request = HTTPClientRequest(url: url)
                    request.method = .POST
                    request.headers.add(name: "content-type", value: "application/x-protobuf")
                    request.headers.add(name: "content-encoding", value: "gzip")
                    request.body = .bytes(ByteBuffer(bytes: sendBodies[index]))
                    while true {
                        let response = try await client.execute(request, timeout: .seconds(60))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        if response.status == .ok { break }
                        guard response.status == .serviceUnavailable else { fatalError("unexpected status \(response.status)") }
                        try await Task.sleep(for: .milliseconds(20))  // queue full: back off as an exporter would
                    }
                }
            }
        }
        try await posters.waitForAll()
    }
    await collector.store.indexCaughtUp()
    let elapsed = clock.now - started
    // The writer's and the indexer's shares of the run (each its own thread): the collector's histograms.
    let metrics = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(10))
    let text = String(buffer: try await metrics.body.collect(upTo: 1 << 22))
    func metric(_ name: String) -> Double {
        text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
    }
    let commits = metric("keiro_store_commit_duration_seconds_count")
    let indexRuns = metric("keiro_store_index_duration_seconds_count")
    let writerSummary = String(
        format: "writer     : %.0f commits of %.0f spans, busy %.0f %% of the run; indexer: %.0f runs of %.0f spans, busy %.0f %%",
        commits, Double(generated) / max(commits, 1),
        100 * metric("keiro_store_commit_duration_seconds_sum") / seconds(elapsed),
        indexRuns, Double(generated) / max(indexRuns, 1),
        100 * metric("keiro_store_index_duration_seconds_sum") / seconds(elapsed))
    try await client.shutdown()
    await group.triggerGracefulShutdown()
    try await tasks.waitForAll()
    return (elapsed, writerSummary)
}
let storedE2E = try await collector.store.findTraces(TraceQuery(limit: 1)).count
precondition(ceilingOnly || storedE2E == 1, "end-to-end run stored nothing")
let peakAfterE2E = peakRSSMiB()
let e2eCPU = cpuSeconds() - e2eCPUStart
func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
let e2eRate = Double(generated) / seconds(endToEnd)
if !ceilingOnly {
    print(String(format: "end to end : %9.0f spans/s  (%.2f s; %.2f CPU-s, %.1f µs CPU/span)", e2eRate, seconds(endToEnd), e2eCPU, e2eCPU * 1e6 / Double(generated)))
    print(writerSummary)
}
// `--e2e-only`: stop after the HTTP run (to profile it alone).
if CommandLine.arguments.contains("--e2e-only") {
    if !keepDatabases { directory.remove() }  // `exit` skips the `defer` above
    exit(0)
}

// MARK: Decoding alone: the request side's fixed cost, on one core
// gunzip and OTLP protobuf decoding into Keiro's spans (SwiftProtobuf's messages, then the
// model), with no HTTP and no store: what every span costs before the store sees it.
let decodeCPUStart = cpuSeconds()
var decodedSpans = 0
for body in bodies {
    let inflated = try body.withUnsafeBytes { try Deflate.inflate($0, format: .gzip, maxBytes: 1 << 30) }
    decodedSpans += try OTLPProtobufDecoder.decode(inflated).batch.spanCount
}
let decodeCPU = cpuSeconds() - decodeCPUStart
precondition(decodedSpans == generated, "decoded \(decodedSpans) of \(generated)")
print(String(format: "decode     : %.1f µs CPU/span (gunzip + OTLP protobuf into spans, one core, no HTTP, no store)", decodeCPU * 1e6 / Double(generated)))

let ceilingCPUStart = cpuSeconds()

// MARK: Ceiling: the same batches straight into the store
// As many writers as connections, each waiting for its batch's acknowledgement as a
// connection does; the store's writer and indexer run as in the collector.
let ceilingStore = try SQLiteSpanStore(configuration: storeConfiguration(path: directory.file("ceiling.sqlite")))
let clock = ContinuousClock()
let sendBatches = batches
let (ceiling, ceilingStored): (Duration, Int) = try await withThrowingTaskGroup(of: Void.self) { tasks in
    tasks.addTask { await ceilingStore.run() }
    let started = clock.now
    let stored = try await withThrowingTaskGroup(of: Int.self) { writers in
        for writer in 0..<connections {
            writers.addTask {
                var stored = 0
                for index in stride(from: writer, to: sendBatches.count, by: connections) {
                    while true {
                        do {
                            stored += try await ceilingStore.write(sendBatches[index]).stored
                            break
                        } catch is StoreUnavailable {
                            try await Task.sleep(for: .milliseconds(20))  // queue full: back off as the posters do
                        }
                    }
                }
                return stored
            }
        }
        var total = 0
        for try await stored in writers { total += stored }
        return total
    }
    await ceilingStore.indexCaughtUp()
    let elapsed = clock.now - started
    ceilingStore.close()
    try await tasks.waitForAll()
    return (elapsed, stored)
}
let ceilingCPU = cpuSeconds() - ceilingCPUStart
precondition(ceilingStored == generated, "ceiling stored \(ceilingStored) of \(generated)")

let ceilingRate = Double(generated) / seconds(ceiling)
print(String(format: "ceiling    : %9.0f spans/s  (%.2f s, store only, %d writers; %.2f CPU-s, %.1f µs CPU/span)", ceilingRate, seconds(ceiling), connections, ceilingCPU, ceilingCPU * 1e6 / Double(generated)))
if !ceilingOnly { print(String(format: "ratio      : %.2f of the ceiling", e2eRate / ceilingRate)) }
print(String(format: "peak RSS   : %.0f MiB after end to end, %.0f MiB at exit", peakAfterE2E, peakRSSMiB()))
print(String(format: "db size    : %.0f bytes/span end to end, %.0f bytes/span ceiling (incl. WAL)", Double(collector.store.databaseSize) / Double(generated), Double(ceilingStore.databaseSize) / Double(generated)))
