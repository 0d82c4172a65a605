import AsyncHTTPClient
import DemoServices
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Testing

/// Runs the applications `make` builds (each told its bound port) on 127.0.0.1, hands their
/// ports to `body`, and shuts them down afterwards.
func withServers<T: Sendable>(
    _ count: Int, _ make: @Sendable (Int, @escaping @Sendable (Int) async -> Void) -> any Service,
    _ body: @Sendable ([Int]) async throws -> T
) async throws -> T {
    var logger = Logger(label: "keiro.test.demo")
    logger.logLevel = .critical
    let (ports, continuation) = AsyncStream.makeStream(of: (Int, Int).self)
    let services = (0..<count).map { index in make(index) { continuation.yield((index, $0)) } }
    let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask {
            defer { continuation.finish() }
            try await group.run()
        }
        var bound = [Int](repeating: 0, count: count)
        var iterator = ports.makeAsyncIterator()
        for _ in 0..<count {
            guard let (index, port) = await iterator.next() else { throw CancellationError() }
            bound[index] = port
        }
        let result = await Result { try await body(bound) }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return try result.get()
    }
}

func get(_ client: HTTPClient, _ url: String, headers: [(String, String)] = []) async throws -> (status: Int, json: [String: Any]) {
    var request = HTTPClientRequest(url: url)
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    let response = try await client.execute(request, timeout: .seconds(10))
    let body = try await response.body.collect(upTo: 1 << 20)
    return (Int(response.status.code), (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:])
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

@Suite struct DemoServerTests {
    let client = HTTPClient.shared

    @Test func aBackendNamesItselfAndEchoesTheRoutingHeaders() async throws {
        try await withServers(1, { port, running in
            DemoBackend(service: "svca", instance: "svca-pr1").application(port: 0, onServerRunning: running)
        }) { [client] ports throws in
            let (status, json) = try await get(
                client, "http://127.0.0.1:\(ports[0])/items/7", headers: [("service-router-svca-demo", "svca-pr1.demo"), ("feature", "v1"), ("x-other", "no")])
            #expect(status == 200)
            #expect(json["service"] as? String == "svca")
            #expect(json["instance"] as? String == "svca-pr1")
            #expect(json["path"] as? String == "/items/7")
            #expect(json["headers"] as? [String: String] == ["service-router-svca-demo": "svca-pr1.demo", "feature": "v1"])
        }
    }

    @Test func injectedErrorsAndResetsReachTheClient() async throws {
        try await withServers(2, { index, running in
            DemoBackend(service: "b", instance: "b\(index)", faults: index == 0 ? FaultProfile(errorRate: 1, errorStatus: 503) : FaultProfile(resetRate: 1))
                .application(port: 0, onServerRunning: running)
        }) { [client] ports throws in
            #expect(try await get(client, "http://127.0.0.1:\(ports[0])/").status == 503)
            await #expect(throws: (any Error).self) {
                _ = try await get(client, "http://127.0.0.1:\(ports[1])/")
            }
        }
    }

    @Test func theBFFAggregatesAndForwardsTraceAndRoutingHeaders() async throws {
        // Index 0: the backend standing in for the sidecar; 1: the BFF calling it.
        try await withServers(1, { _, running in
            DemoBackend(service: "mesh", instance: "mesh-1").application(port: 0, onServerRunning: running)
        }) { [client] backend throws in
            try await withServers(1, { _, running in
                BFFService(sidecar: "http://127.0.0.1:\(backend[0])").application(client: client, port: 0, onServerRunning: running)
            }) { bff throws in
                let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
                let (status, json) = try await get(
                    client, "http://127.0.0.1:\(bff[0])/aggregate?q=shoes", headers: [("traceparent", traceparent), ("feature", "v2"), ("cookie", "secret")])
                #expect(status == 200)
                #expect(json["errors"] == nil)
                for (name, path) in [("search", "/search"), ("reviews", "/reviews"), ("items", "/items")] {
                    let part = json[name] as? [String: Any]
                    #expect(part?["path"] as? String == path)
                    #expect(part?["headers"] as? [String: String] == ["traceparent": traceparent, "feature": "v2"])
                }
            }
        }
    }

    @Test func aFailedRequiredCallIs502AndAFailedOptionalOneDegrades() async throws {
        try await withServers(1, { _, running in
            DemoBackend(service: "down", instance: "down-1", faults: FaultProfile(errorRate: 1, errorStatus: 503)).application(port: 0, onServerRunning: running)
        }) { [client] backend throws in
            let sidecar = "http://127.0.0.1:\(backend[0])"
            try await withServers(2, { index, running in
                BFFService(sidecar: sidecar, calls: index == 0 ? [BFFCall.demo[0]] : [BFFCall.demo[1]])
                    .application(client: client, port: 0, onServerRunning: running)
            }) { bff throws in
                let required = try await get(client, "http://127.0.0.1:\(bff[0])/aggregate")
                #expect(required.status == 502)
                #expect(required.json["errors"] as? [String: String] == ["search": "HTTP 503"])
                let optional = try await get(client, "http://127.0.0.1:\(bff[1])/aggregate")
                #expect(optional.status == 200)
                #expect(optional.json["errors"] as? [String: String] == ["reviews": "HTTP 503"])
            }
        }
    }
}
