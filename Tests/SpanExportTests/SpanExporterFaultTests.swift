import KeiroModel
import TestSupport
import Testing

@testable import SpanExport

/// The exporter against collectors that are down, overloaded or refusing, over 127.0.0.1.
@Suite(.timeLimit(.minutes(1))) struct SpanExporterFaultTests {
    @Test func overloadedCollectorIsRetriedAfterRetryAfterThenTakesTheBatch() async throws {
        try await withStubCollector({ index in
            index == 0 ? .init(status: .serviceUnavailable, retryAfter: "1") : .init(status: .ok)
        }) { stub in
            let (_, metrics, _) = try await withExporter(try testConfiguration(collector: stub.url)) { exporter in
                for span in testSpans(trace: 31, count: 20) { exporter.export(span) }
                #expect(await eventually { exporter.metrics.spansExported == 20 })
            }
            let received = stub.received
            try #require(received.count == 2)
            let waited = received[0].at.duration(to: received[1].at)
            #expect(waited >= .seconds(1) && waited < .seconds(3), "retried after \(waited), Retry-After was 1 s")
            for request in received {
                #expect(request.contentEncoding == "gzip")
                #expect(request.contentType == "application/x-protobuf")
                #expect(request.spanCount == 20)
                #expect(request.serviceName == "gateway")
            }
            #expect(metrics.retries == 1)
            #expect(metrics.batchesExported == 1 && metrics.batchesFailed == 0)
            #expect(metrics.balances)
        }
    }

    @Test func badRequestDropsTheBatchWithoutRetrying() async throws {
        try await withStubCollector({ _ in .init(status: .badRequest) }) { stub in
            let (_, metrics, _) = try await withExporter(try testConfiguration(collector: stub.url)) { exporter in
                for span in testSpans(trace: 32, count: 20) { exporter.export(span) }
                #expect(await eventually { exporter.metrics.batchesFailed == 1 })
                try await Task.sleep(for: .milliseconds(200))  // room for a (wrong) retry to show
            }
            #expect(stub.received.count == 1)
            #expect(metrics.spansDroppedExportFailed == 20)
            #expect(metrics.retries == 0 && metrics.spansExported == 0)
            #expect(metrics.balances)
        }
    }

    @Test func partialSuccessCountsRejectedSpans() async throws {
        try await withStubCollector({ _ in .init(status: .ok, rejectedSpans: 2) }) { stub in
            let (_, metrics, _) = try await withExporter(try testConfiguration(collector: stub.url)) { exporter in
                for span in testSpans(trace: 33, count: 20) { exporter.export(span) }
                #expect(await eventually { exporter.metrics.batchesExported == 1 })
            }
            #expect(metrics.spansRejected == 2)
            #expect(metrics.spansExported == 18)
            #expect(metrics.balances)
        }
    }

    @Test func retriesStopAtMaxAttempts() async throws {
        try await withStubCollector({ _ in .init(status: .tooManyRequests) }) { stub in
            let configuration = try testConfiguration(collector: stub.url) { $0.retry.maxAttempts = 3 }
            let (_, metrics, _) = try await withExporter(configuration) { exporter in
                for span in testSpans(trace: 34, count: 5) { exporter.export(span) }
                #expect(await eventually { exporter.metrics.batchesFailed == 1 })
            }
            #expect(stub.received.count == 3)
            #expect(metrics.retries == 2)
            #expect(metrics.spansDroppedExportFailed == 5)
        }
    }

    /// Shutdown during a long `Retry-After` wait does not wait it out: the batch is given
    /// up at once (its retry would start after the flush deadline) and `run()` returns.
    @Test func shutdownCutsALongRetryAfterWaitShort() async throws {
        try await withStubCollector({ _ in .init(status: .serviceUnavailable, retryAfter: "20") }) { stub in
            let configuration = try testConfiguration(collector: stub.url) {
                $0.retry.maxElapsed = .seconds(60)
                $0.shutdownTimeout = .milliseconds(300)
            }
            let (_, metrics, shutdownTook) = try await withExporter(configuration) { exporter in
                for span in testSpans(trace: 35, count: 10) { exporter.export(span) }
                #expect(await eventually { stub.received.count == 1 })
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(shutdownTook < .seconds(2), "shutdown took \(shutdownTook)")
            #expect(stub.received.count == 1)
            #expect(metrics.spansDroppedExportFailed == 10 && metrics.retries == 0)
            #expect(metrics.balances)
        }
    }

    /// A collector that accepts the connection but does not answer: each request ends at
    /// the export timeout, and shutdown ends an in-flight request at its own deadline.
    @Test func hungCollectorIsBoundedByTheExportTimeoutAndTheShutdownDeadline() async throws {
        try await withStubCollector({ _ in .init(status: .ok, delay: .seconds(2)) }) { stub in
            let configuration = try testConfiguration(collector: stub.url) {
                $0.exportTimeout = .milliseconds(300)
                $0.retry.maxAttempts = 1
            }
            let clock = ContinuousClock()
            let (_, metrics, _) = try await withExporter(configuration) { exporter in
                let start = clock.now
                for span in testSpans(trace: 36, count: 10) { exporter.export(span) }
                #expect(await eventually { exporter.metrics.batchesFailed == 1 })
                let took = start.duration(to: clock.now)
                #expect(took >= .milliseconds(300) && took < .seconds(2), "batch given up after \(took)")
            }
            #expect(metrics.spansDroppedExportFailed == 10)

            var patient = configuration
            patient.exportTimeout = .seconds(30)
            patient.shutdownTimeout = .milliseconds(300)
            let (_, stopped, shutdownTook) = try await withExporter(patient) { exporter in
                for span in testSpans(trace: 37, count: 10) { exporter.export(span) }
                #expect(await eventually { stub.received.count == 2 })  // the request is in flight
            }
            #expect(shutdownTook < .seconds(1), "shutdown took \(shutdownTook) with a request in flight")
            #expect(stopped.spansDroppedExportFailed == 10)
        }
    }

    /// With a caller's client (AsyncHTTPClient's default pool retries connecting until the
    /// deadline), a down collector still costs callers nothing and each attempt ends at the
    /// export timeout.
    @Test func callerProvidedClientAgainstADeadCollectorIsBoundedByTheExportTimeout() async throws {
        let port = deadLoopbackPort
        let configuration = try testConfiguration(collector: "http://127.0.0.1:\(port)") {
            $0.exportTimeout = .milliseconds(200)
            $0.retry.maxAttempts = 2
        }
        let (_, metrics, _) = try await withExporter(configuration, httpClient: .shared) { exporter in
            for span in testSpans(trace: 38, count: 10) { exporter.export(span) }
            #expect(await eventually { exporter.metrics.batchesFailed == 1 })
        }
        #expect(metrics.retries == 1)
        #expect(metrics.spansDroppedExportFailed == 10)
    }

    /// A collector that is down (a closed port): `export` stays a queue append — a burst of
    /// 100,000 calls takes well under a second — and the losses are counted.
    @Test func deadCollectorNeverBlocksCallersAndCountsDrops() async throws {
        let port = deadLoopbackPort
        let configuration = try testConfiguration(collector: "http://127.0.0.1:\(port)") {
            $0.queueCapacity = 1_024
            $0.maxBatchSize = 256
            $0.shutdownTimeout = .milliseconds(500)
            $0.retry.maxAttempts = 3
            $0.retry.initialBackoff = .milliseconds(5)
        }
        let burst = 100_000
        let spans = (0..<10).flatMap { testSpans(trace: 40 + UInt64($0), count: burst / 10) }
        let clock = ContinuousClock()
        let (timing, metrics, shutdownTook) = try await withExporter(configuration) { exporter in
            var slowest = Duration.zero
            let total = clock.measure {
                for span in spans {
                    let start = clock.now
                    exporter.export(span)
                    slowest = max(slowest, start.duration(to: clock.now))
                }
            }
            #expect(await eventually { exporter.metrics.batchesFailed >= 1 })
            return (total, slowest)
        }
        print("span export with collector down: \(burst) export calls in \(timing.0) (slowest call \(timing.1)); shutdown took \(shutdownTook)")
        #expect(timing.0 < .seconds(1))
        #expect(metrics.spansEnqueued == burst)
        #expect(metrics.spansDroppedQueueFull >= burst / 2)
        #expect(metrics.spansDroppedExportFailed >= 256)
        #expect(metrics.spansExported == 0)
        #expect(metrics.retries >= 2)
        #expect(shutdownTook < .seconds(2))
        #expect(metrics.balances)
    }
}

/// A 127.0.0.1 port nothing listens on: 1 (privileged, and no test binds it, as the proxy
/// tests' refused route). A port bound and closed again could be handed to another test's
/// server, which would then answer the "dead" collector.
let deadLoopbackPort = 1
