import Foundation
import KeiroModel
import RoutingCore
import Testing

/// Fixture files bundled with the test target (`Fixtures/`).
enum Fixture {
    static func path(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
        return url.path
    }

    /// Loads fixture files together as one configuration.
    static func load(_ names: String...) throws -> RouteConfig {
        try ConfigLoader.load(paths: names.map(path))
    }

    /// The compiled table of the only route set in `names`.
    static func table(_ names: String...) throws -> RouteTable {
        let config = try ConfigLoader.load(paths: names.map(path))
        try #require(config.routeSets.count == 1)
        return RouteTable(config.routeSets[0])
    }
}

/// The errors loading `yaml` produces (empty when it loads).
func configErrors(_ yaml: String) -> [ConfigError] {
    do {
        _ = try ConfigLoader.load(yaml: yaml, name: "test.yaml")
        return []
    } catch {
        return error.errors
    }
}

/// A request with `name: value` headers.
func request(_ target: String, _ headers: [String: String] = [:], method: String = "GET") -> RouteRequest {
    RouteRequest(method: method, target: target, headers: headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
}

extension RouteTable {
    /// The name of the route `request` matches, nil for no match.
    func routeName(_ request: RouteRequest) -> String? {
        firstMatch(request).flatMap { routeSet.routes[$0.index].name }
    }

    /// The chosen destination for `request` with a fixed seed.
    func destination(_ request: RouteRequest, seed: UInt64 = 1) -> Destination? {
        var random = SplitMix64(seed: seed)
        guard case .routed(let routed) = decide(request, using: &random) else { return nil }
        return routed.destination
    }
}

/// Wraps a single-route VirtualService around an `http[0]` body for concise tests.
func virtualService(http: String) -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: test
    spec:
      hosts: [test.svc]
      http:
    \(http)
    """
}
