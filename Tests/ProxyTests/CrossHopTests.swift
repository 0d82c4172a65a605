import AsyncHTTPClient
import DemoServices
import Foundation
import KeiroModel
import Logging
import NIOCore
import Proxy
import RoutingCore
import ServiceLifecycle
import Store
import TestSupport
import Testing

/// The demo topology in one process on 127.0.0.1 (free ports): edge → gateway → BFF →
/// sidecar → backends, every proxy exporting to a live collector. One trace must cover
/// every hop with exact parent links.
@Suite("Cross-hop tracing", .timeLimit(.minutes(1)))
struct CrossHopTests {
    @Test("one trace id spans edge, gateway, BFF, sidecar and backends; every CLIENT try is the parent of the next SERVER span")
    func oneTraceAcrossEveryHop() async throws {
        try await withRunningCollector { collector in
            let traces = try await withTopology(collector: collector.baseURL) { edgePort in
                var traces: [(id: TraceID, backendParents: [SpanID])] = []
                for _ in 0..<3 {
                    let response = try await HTTPClient.shared.execute(
                        HTTPClientRequest(url: "http://127.0.0.1:\(edgePort)/aggregate"), timeout: .seconds(10))
                    let body = try await response.body.collect(upTo: 1 << 20)
                    #expect(response.status == .ok)
                    let document = try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
                    // Each backend echoes the traceparent it received (its parent: the sidecar's CLIENT try).
                    var received: [String: W3CTraceParent] = [:]
                    for call in ["search", "reviews", "items"] {
                        let headers = (document[call] as? [String: Any])?["headers"] as? [String: String]
                        received[call] = try #require(headers?["traceparent"].flatMap { W3CTraceParent(header: $0) }, "\(call)")
                    }
                    let traceID = try #require(received["search"]?.traceID)
                    #expect(received.values.allSatisfy { $0.traceID == traceID })
                    traces.append((traceID, received.values.map(\.parentID)))
                }
                return traces
            }
            // Every proxy has shut down, flushing its exporter; the collector answered each
            // batch only after committing it.
            #expect(Set(traces.map(\.id)).count == 3)
            for (traceID, backendParents) in traces {
                let spans = try await collector.store.trace(traceID)
                let byID = Dictionary(spans.map { ($0.span.spanID, $0) }, uniquingKeysWith: { first, _ in first })
                func hop(_ service: String, _ kind: SpanKind) -> [StoredSpan] {
                    spans.filter { $0.serviceName == service && $0.span.kind == kind }
                }
                let edgeServer = hop("edge", .server), edgeClient = hop("edge", .client)
                let gatewayServer = hop("gateway", .server), gatewayClient = hop("gateway", .client)
                let sidecarServer = hop("bff-sidecar", .server), sidecarClient = hop("bff-sidecar", .client)
                try #require(edgeServer.count == 1 && edgeClient.count == 1 && gatewayServer.count == 1 && gatewayClient.count == 1)
                try #require(sidecarServer.count == 3 && sidecarClient.count == 3, "\(spans.map { "\($0.serviceName) \($0.span.kind)" })")
                #expect(spans.count == 10)
                #expect(edgeServer[0].span.parentSpanID == nil, "the edge starts the trace")
                #expect(edgeClient[0].span.parentSpanID == edgeServer[0].span.spanID)
                #expect(gatewayServer[0].span.parentSpanID == edgeClient[0].span.spanID)
                #expect(gatewayClient[0].span.parentSpanID == gatewayServer[0].span.spanID)
                // The BFF records no spans but forwards the context: the sidecar's SERVER
                // spans are children of the gateway's try that reached the BFF.
                #expect(sidecarServer.allSatisfy { $0.span.parentSpanID == gatewayClient[0].span.spanID })
                for client in sidecarClient {
                    #expect(sidecarServer.contains { $0.span.spanID == client.span.parentSpanID })
                }
                #expect(Set(backendParents) == Set(sidecarClient.map(\.span.spanID)), "each backend got its own sidecar try as parent")
                #expect(Set(sidecarClient.compactMap { $0.span.attributes["keiro.destination.host"]?.stringValue })
                    == Set(BFFCall.demo.map(\.host)))
                // No orphans: every parent is in the trace.
                #expect(spans.allSatisfy { $0.span.parentSpanID.map { byID[$0] != nil } ?? true })
            }
        }
    }
}

/// Starts backends, sidecar, BFF, gateway and edge (each waiting for the previous one's
/// port), runs `body` with the edge's port, then shuts everything down, edge first.
private func withTopology<T: Sendable>(collector: String, _ body: @Sendable (Int) async throws -> T) async throws -> T {
    var logger = Logger(label: "keiro.test.topology")
    logger.logLevel = .critical
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        var groups: [ServiceGroup] = []
        func start(_ make: (@escaping @Sendable (Int) async -> Void) throws -> any Service) async throws -> Int {
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [try make { continuation.yield($0) }], logger: logger))
            tasks.addTask {
                defer { continuation.finish() }
                try await group.run()
            }
            groups.append(group)
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            return port
        }
        func proxy(_ yaml: String, service: String) async throws -> Int {
            let sets = try ConfigLoader.load(yaml: yaml, name: "\(service).yaml").routeSets
            var configuration = ProxyConfiguration(routeSets: sets, port: 0, serviceName: service, collector: collector)
            configuration.exportEnvironment = ["OTEL_BSP_SCHEDULE_DELAY": "100"]
            return try await start { try ProxyServer(configuration: configuration, onServerRunning: $0, logger: logger) }
        }
        let result: Result<T, any Error>
        do {
            var backends: [String: Int] = [:]
            for call in BFFCall.demo {
                backends[call.host] = try await start {
                    DemoBackend(service: call.name, instance: call.name, faults: FaultProfile(latencyMillis: 0...2))
                        .application(port: 0, logger: logger, onServerRunning: $0)
                }
            }
            let virtualServices = BFFCall.demo.map { call in
                """
                apiVersion: networking.istio.io/v1beta1
                kind: VirtualService
                metadata: { name: \(call.name) }
                spec:
                  hosts: [\(call.host)]
                  http: [ { route: [ { destination: { host: \(call.host) } } ] } ]
                """
            }
            let endpoints = "apiVersion: keiro.dev/v1\nkind: Endpoints\nhosts:\n"
                + backends.map { "  \($0.key): { addresses: [\"127.0.0.1:\($0.value)\"] }" }.joined(separator: "\n")
            let sidecar = try await proxy((virtualServices + [endpoints]).joined(separator: "\n---\n"), service: "bff-sidecar")
            let bff = try await start {
                BFFService(sidecar: "http://127.0.0.1:\(sidecar)").application(client: .shared, port: 0, logger: logger, onServerRunning: $0)
            }
            let gateway = try await proxy("""
                kind: Gateway
                routes: [ { name: aggregate, match: { pathPrefix: /aggregate }, targetGroup: bff } ]
                targetGroups: { bff: [ { name: bff, targets: ["127.0.0.1:\(bff)"] } ] }
                """, service: "gateway")
            let edge = try await proxy("""
                kind: Edge
                listeners:
                  - port: 8080
                    rules: [ { priority: 1, conditions: { path: "/*" }, forward: { targetGroups: [ { name: gateway, targets: ["127.0.0.1:\(gateway)"] } ] } } ]
                """, service: "edge")
            result = .success(try await body(edge))
        } catch {
            result = .failure(error)
        }
        for group in groups.reversed() { await group.triggerGracefulShutdown() }
        try await tasks.waitForAll()
        return try result.get()
    }
}
