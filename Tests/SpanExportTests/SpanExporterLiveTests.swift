import KeiroModel
import Store
import TestSupport
import Testing

@testable import SpanExport

/// The exporter against a real collector (real SQLite store) over 127.0.0.1.
@Suite(.timeLimit(.minutes(1))) struct SpanExporterLiveTests {
    @Test func exportedSpansArriveInTheStoreInSizeAndAgeBatches() async throws {
        try await withRunningCollector { collector in
            let configuration = try testConfiguration(collector: collector.baseURL) { $0.flushInterval = .milliseconds(200) }
            let (_, metrics, _) = try await withExporter(configuration) { exporter in
                for trace in 1...12 {
                    for span in testSpans(trace: UInt64(trace), count: 100) { exporter.export(span) }
                }
                // 1,200 spans: two full batches of 512 at once, the last 176 when 200 ms old.
                #expect(await eventually { exporter.metrics.spansExported == 1_200 })
                #expect(exporter.metrics.batchesExported == 3)
                for trace in 1...12 {
                    let stored = try await collector.store.trace(SpanFixtures.traceID(UInt64(trace)))
                    #expect(stored.count == 100)
                    #expect(stored.allSatisfy { $0.serviceName == "gateway" && $0.scope.name == "keiro" })
                }
                let summary = try await collector.store.traceSummary(SpanFixtures.traceID(7))
                #expect(summary?.spanCount == 100)
            }
            #expect(metrics.spansEnqueued == 1_200)
            #expect(metrics.spansDroppedQueueFull == 0 && metrics.spansDroppedExportFailed == 0 && metrics.retries == 0)
            #expect(metrics.balances)
        }
    }

    @Test func uncompressedBatchesAreStoredToo() async throws {
        try await withRunningCollector { collector in
            let configuration = try testConfiguration(collector: collector.baseURL) {
                $0.flushInterval = .milliseconds(50)
                $0.compression = .none
            }
            let spans = testSpans(trace: 31, count: 40)
            let (_, metrics, _) = try await withExporter(configuration) { exporter in
                for span in spans { exporter.export(span) }
                #expect(await eventually { exporter.metrics.spansExported == 40 })
            }
            #expect(metrics.spansDroppedExportFailed == 0 && metrics.retries == 0)
            #expect(try await collector.store.trace(SpanFixtures.traceID(31)).map(\.span) == spans)
        }
    }

    @Test func shutdownFlushesWhatIsQueued() async throws {
        try await withRunningCollector { collector in
            // An hour-long flush interval: only shutdown sends the partial batch.
            let configuration = try testConfiguration(collector: collector.baseURL) { $0.flushInterval = .seconds(3600) }
            let spans = testSpans(trace: 21, count: 300)
            let (exporter, metrics, shutdownTook) = try await withExporter(configuration) { exporter in
                for span in spans { exporter.export(span) }
                try await Task.sleep(for: .milliseconds(100))
                #expect(exporter.metrics.spansExported == 0)
                #expect(exporter.metrics.queueDepth == 300)
                return exporter
            }
            #expect(metrics.spansExported == 300)
            #expect(metrics.queueDepth == 0 && metrics.spansDroppedAtShutdown == 0)
            #expect(shutdownTook < .seconds(5))
            #expect(try await collector.store.trace(SpanFixtures.traceID(21)).count == 300)
            // After run() returned, spans are counted as dropped, not queued forever.
            exporter.export(spans[0])
            #expect(exporter.metrics.spansDroppedAtShutdown == 1)
            #expect(exporter.metrics.queueDepth == 0)
            #expect(exporter.metrics.balances)
        }
    }

    @Test func concurrentCallersFromManyTasksAllArrive() async throws {
        try await withRunningCollector { collector in
            let configuration = try testConfiguration(collector: collector.baseURL)
            let (_, metrics, _) = try await withExporter(configuration) { exporter in
                await withTaskGroup(of: Void.self) { group in
                    for caller in 0..<4 {
                        group.addTask {
                            for span in testSpans(trace: 60 + UInt64(caller), count: 1_000) { exporter.export(span) }
                        }
                    }
                }
            }
            #expect(metrics.spansEnqueued == 4_000)
            #expect(metrics.spansExported == 4_000)
            for caller in 0..<4 {
                #expect(try await collector.store.trace(SpanFixtures.traceID(60 + UInt64(caller))).count == 1_000)
            }
        }
    }

    /// End-to-end rate into a live collector with a real store (debug build, loopback).
    @Test func throughputToALiveCollector() async throws {
        try await withRunningCollector { collector in
            let count = 40_000
            let configuration = try testConfiguration(collector: collector.baseURL) { $0.queueCapacity = count }
            let spans = (0..<40).flatMap { testSpans(trace: 1_000 + UInt64($0), count: count / 40) }
            let clock = ContinuousClock()
            let start = clock.now
            let (_, metrics, _) = try await withExporter(configuration) { exporter in
                for span in spans { exporter.export(span) }
                #expect(await eventually(within: .seconds(40)) { exporter.metrics.spansExported == count })
            }
            let elapsed = start.duration(to: clock.now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("span export to live collector: \(count) spans in \(elapsed), \(Int(Double(count) / seconds)) spans/s, \(metrics.batchesExported) batches")
            #expect(metrics.spansExported == count)
            #expect(metrics.spansDroppedQueueFull == 0)
            #expect(try await collector.store.trace(SpanFixtures.traceID(1_039)).count == count / 40)
        }
    }
}
