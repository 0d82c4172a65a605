import AsyncHTTPClient
import Foundation
import Proxy
import RoutingCore
import TestSupport
import Testing

/// Config reload on a running gateway: the files change on disk, later requests follow.
@Suite("Proxy config reload", .timeLimit(.minutes(1)))
struct ProxyReloadTests {
    /// `split` (`a`, `b` weighted `weights`) behind `/echo`, plus a `/new` route to `b` when `extraRoute`.
    static func routes(_ ports: [Int], weights: (Int, Int), extraRoute: Bool = false) -> String {
        """
        kind: Gateway
        routes:
        \(extraRoute ? "  - { name: new, match: { pathPrefix: /new }, targetGroup: b }\n" : "")\
          - { name: echo, match: { pathPrefix: /echo }, targetGroup: split }
        targetGroups:
          split:
            - { name: a, weight: \(weights.0), targets: ["127.0.0.1:\(ports[0])"] }
            - { name: b, weight: \(weights.1), targets: ["127.0.0.1:\(ports[1])"] }
          b: [ { name: b, targets: ["127.0.0.1:\(ports[1])"] } ]
        """
    }

    /// A gateway over backends `a` and `b` (weights 100/0) whose config file is polled every 50 ms.
    func withReloadingGateway(_ body: @Sendable (ProxyHarness, String) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("gateway.yaml")
        try await withProxy(
            backends: [Backend(name: "a"), Backend(name: "b")], configFile: file,
            configure: {
                $0.reload = ReloadSettings(source: RouteSource(paths: [file], kind: .gateway), onSIGHUP: false, pollInterval: .milliseconds(50))
            },
            routes: { Self.routes($0, weights: (100, 0)) }
        ) { proxy in try await body(proxy, file) }
    }

    @Test("a weight flip and a new route on disk are followed by later requests; a request in flight completes")
    func fileChangeReloads() async throws {
        try await withReloadingGateway { proxy, file in
            for _ in 0..<5 { #expect(try await proxy.send("/echo").headers.first(name: "x-backend") == "a") }
            #expect(try await proxy.send("/new").status == 404)

            // Starts before the reload, answers 300 ms later (the backend's `…/slow`).
            async let inFlight = proxy.send("/echo/slow")
            try await Task.sleep(for: .milliseconds(50))
            try Self.routes(proxy.backendPorts, weights: (0, 100), extraRoute: true).write(toFile: file, atomically: true, encoding: .utf8)
            #expect(await eventually { proxy.server.reloadMetrics.reloads == 1 })

            let slow = try await inFlight
            #expect(slow.status == 200 && slow.body == "slow done")
            #expect(slow.headers.first(name: "x-backend") == "a", "the in-flight request kept the table it started with")
            for _ in 0..<5 { #expect(try await proxy.send("/echo").headers.first(name: "x-backend") == "b") }
            #expect(try await proxy.send("/new").headers.first(name: "x-backend") == "b")
            #expect(proxy.server.reloadMetrics.failures == 0)
        }
    }

    @Test("a broken config is rejected with its location and counted; the old routes stay until a good one arrives")
    func brokenConfigKeepsTheOldRoutes() async throws {
        try await withReloadingGateway { proxy, file in
            let broken = Self.routes(proxy.backendPorts, weights: (0, 0))
            try broken.write(toFile: file, atomically: true, encoding: .utf8)
            #expect(await eventually { proxy.server.reloadMetrics.failures == 1 })
            let metrics = proxy.server.reloadMetrics
            #expect(metrics.reloads == 0)
            #expect(metrics.lastFailure?.contains("\(file):") == true && metrics.lastFailure?.contains("weight") == true)
            for _ in 0..<3 { #expect(try await proxy.send("/echo").headers.first(name: "x-backend") == "a") }

            try "routes: [".write(toFile: file, atomically: true, encoding: .utf8)
            #expect(await eventually { proxy.server.reloadMetrics.failures == 2 })
            #expect(try await proxy.send("/echo").headers.first(name: "x-backend") == "a")

            try Self.routes(proxy.backendPorts, weights: (0, 1)).write(toFile: file, atomically: true, encoding: .utf8)
            #expect(await eventually { proxy.server.reloadMetrics.reloads == 1 })
            #expect(try await proxy.send("/echo").headers.first(name: "x-backend") == "b")
        }
    }

    @Test("VirtualService routes without a name get <vs-name>.<index> as keiro.route.name")
    func unnamedRoutesGetGeneratedNames() async throws {
        try await withProxy(backends: [Backend(name: "a")], routes: { ports in
            """
            apiVersion: networking.istio.io/v1beta1
            kind: VirtualService
            metadata: { name: reviews }
            spec:
              hosts: [reviews]
              http:
              - name: named
                match: [ { uri: { prefix: /named } } ]
                route: [ { destination: { host: reviews } } ]
              - route: [ { destination: { host: reviews } } ]
            ---
            apiVersion: keiro.dev/v1
            kind: Endpoints
            hosts: { reviews: { addresses: ["127.0.0.1:\(ports[0])"] } }
            """
        }) { proxy in
            _ = try await proxy.send("/named/echo")
            _ = try await proxy.send("/echo")
            let servers = try await proxy.recorder.spans(.server, atLeast: 2)
            #expect(servers.map { $0[attribute: "keiro.route.name"] } == [.string("named"), .string("reviews.1")])
        }
    }
}
