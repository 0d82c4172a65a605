import NIOCore
import NIOPosix
import Proxy
import SpanExport
import Testing

/// A collector that is down or hangs changes neither the proxied responses nor their
/// latency; the spans it cannot take are dropped and counted.
@Suite("Collector outage", .timeLimit(.minutes(1)))
struct CollectorOutageTests {
    enum Outage: String, CaseIterable, Sendable {
        /// Nothing listens on the collector's port.
        case refused
        /// The collector accepts connections and never answers.
        case hanging
    }

    /// A small export queue so 200 requests (400 spans) overflow it.
    static let smallQueue: @Sendable (inout ProxyConfiguration) -> Void = {
        $0.exportEnvironment = [
            "OTEL_BSP_MAX_QUEUE_SIZE": "16", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "8", "OTEL_BSP_SCHEDULE_DELAY": "20",
            "OTEL_BSP_EXPORT_TIMEOUT": "1000",
        ]
    }

    @Test("200 requests through a gateway exporting to a collector that is down or hangs", arguments: Outage.allCases)
    func responsesAndLatencyDoNotChange(outage: Outage) async throws {
        let requests = 200
        try await withCollector(outage) { collector in
            // Two gateways at once, requests alternating, so machine noise hits both alike.
            try await withProxy(backends: [Backend(name: "main")], routes: gatewayRoutes) { plain in
                try await withProxy(
                    backends: [Backend(name: "main")], collector: collector, configure: Self.smallQueue, routes: gatewayRoutes
                ) { traced in
                    for proxy in [plain, traced] { _ = try await proxy.send("/echo/warmup") }
                    var latencies: [[Duration]] = [[], []]
                    for index in 0..<requests {
                        for (slot, proxy) in [plain, traced].enumerated() {
                            let start = ContinuousClock.now
                            let reply = try await proxy.send("/echo/\(index)", method: .POST, body: "body \(index)")
                            latencies[slot].append(ContinuousClock.now - start)
                            #expect(reply.status == 200 && reply.body == "body \(index)")
                            #expect(reply.headers.first(name: "x-echo-target") == "/echo/\(index)")
                        }
                    }
                    let (plainP99, tracedP99) = (Self.p99(latencies[0]), Self.p99(latencies[1]))
                    #expect(tracedP99 < plainP99 * 2 + .milliseconds(20), "p99 \(tracedP99) with the collector \(outage), \(plainP99) without")
                    let metrics = try #require(traced.server.exportMetrics)
                    #expect(metrics.spansEnqueued == 2 * (requests + 1))
                    #expect(metrics.spansDroppedQueueFull > 0, "\(metrics)")
                    #expect(metrics.spansExported == 0)
                }
            }
        }
    }

    static func p99(_ latencies: [Duration]) -> Duration {
        let sorted = latencies.sorted()
        return sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
    }

    /// Runs `body` with the URL of a collector in the state `outage` describes.
    private func withCollector(_ outage: Outage, _ body: @Sendable (String) async throws -> Void) async throws {
        switch outage {
        case .hanging:
            try await withTCPServer(closingOnRead: false) { port in try await body("http://127.0.0.1:\(port)") }
        case .refused:
            // A port that was just free: bound, then closed.
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
            let port = channel.localAddress?.port ?? 1
            try await channel.close()
            try await body("http://127.0.0.1:\(port)")
        }
    }
}
