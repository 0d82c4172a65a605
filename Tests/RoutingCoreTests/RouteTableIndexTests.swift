import PropertyBased
import RoutingCore
import Testing

/// The compiled table (path tries + always-checked routes) must answer exactly what a
/// linear first-match scan answers, for any route list and request.
@Suite struct RouteTableIndexTests {
    static let segments = ["a", "ab", "b", "api", "API", "v1", "v2", "x"]

    /// A path like `/a/v1` from segment indices.
    static func path(_ indices: [Int]) -> String {
        "/" + indices.map { segments[$0 % segments.count] }.joined(separator: "/")
    }

    /// A route built from a compact description: uri kind, path, header condition.
    static func route(_ spec: [Int], index: Int) -> Route {
        let path = path(Array(spec.dropFirst(3)))
        let uri: StringMatch? = switch spec[0] % 6 {
        case 0: .exact(path)
        case 1: .prefix(path)
        case 2: .prefix(path, ignoringCase: true)
        case 3: .exact(path, ignoringCase: true)
        case 4: try? .regex(MatchRegex(MatchRegex.escaped(path) + ".*"))
        default: nil
        }
        var match = RouteMatch(uri: uri)
        if spec[1] % 3 == 0 { match.headers = [.init(name: "x", match: .exact("1"))] }
        let blocks = spec[2] % 4 == 0 ? [] : [match]
        let location = SourceLocation(file: "generated", line: index, column: 1)
        return Route(
            name: "r\(index)", matches: blocks.isEmpty && uri == nil ? [RouteMatch(method: .exact("POST"))] : blocks,
            destinations: [WeightedDestination(destination: Destination(host: "h"), weight: 1, location: location)],
            retries: .disabled, retriesSource: .configured, timeout: nil, location: location
        )
    }

    @Test func indexedLookupEqualsLinearScan() async {
        let routeSpecs = Gen.int(in: 0...11).array(of: 3...6).array(of: 1...40)
        let requestSpecs = Gen.int(in: 0...11).array(of: 0...4).array(of: 10...10)
        await propertyCheck(count: 300, input: routeSpecs, requestSpecs, Gen.bool) { specs, requests, header in
            let routes = specs.enumerated().map { Self.route($1, index: $0) }
            let set = RouteSet(kind: .sidecar, name: "generated", routes: routes, location: SourceLocation(file: "g", line: 1, column: 1))
            let table = RouteTable(set)
            for indices in requests {
                for method in ["GET", "POST"] {
                    let request = RouteRequest(method: method, target: Self.path(indices), headers: header ? [("x", "1")] : [])
                    let linear = routes.firstIndex { $0.matchingBlock(request) != nil }
                    #expect(table.firstMatch(request)?.index == linear, "\(request.path) \(method)")
                    #expect(table.explain(request).matchedIndex == linear)
                }
            }
        }
    }
}
