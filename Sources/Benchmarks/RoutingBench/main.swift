// Route decisions per second against tables of 10, 100 and 1,000 routes (one core).
//
// Each table mixes the match kinds real configs use — 60 % path prefixes, 20 % exact
// paths, 10 % prefix + header, 10 % regex with a literal prefix — and ends in a catch-all.
// Requests are drawn so that every route is hit, plus 10 % that fall through to the
// catch-all. A decision is `RouteTable.decide`: first match plus the weighted choice.
// Run through `tools/bench/routing` (release build).
import KeiroModel
import RoutingCore

let location = SourceLocation(file: "bench", line: 0, column: 0)

func destinations(_ name: String) -> [WeightedDestination] {
    [
        WeightedDestination(destination: Destination(host: "\(name)-primary", addresses: ["10.0.0.1:80"]), weight: 90, location: location),
        WeightedDestination(destination: Destination(host: "\(name)-canary", addresses: ["10.0.0.2:80"]), weight: 10, location: location),
    ]
}

func route(_ index: Int) -> Route {
    let base = "/api/svc\(index)"
    let match: RouteMatch
    switch index % 10 {
    case 0...5: match = RouteMatch(uri: .prefix(base + "/"))
    case 6, 7: match = RouteMatch(uri: .exact(base + "/items"))
    case 8: match = RouteMatch(uri: .prefix(base + "/"), headers: [.init(name: "x-tenant", match: .exact("t\(index)"))])
    default:
        guard let regex = try? MatchRegex(base + "/items/[0-9]+") else { fatalError("bench regex does not compile") }
        match = RouteMatch(uri: .regex(regex))
    }
    return Route(
        name: "r\(index)", matches: [match], destinations: destinations("svc\(index)"),
        retries: .istioDefault, retriesSource: .istioDefault, timeout: .seconds(5), location: location
    )
}

func request(for index: Int) -> RouteRequest {
    let base = "/api/svc\(index)"
    switch index % 10 {
    case 0...5: return RouteRequest(target: base + "/search?q=shoes", headers: [("user-agent", "bench"), ("accept", "*/*")])
    case 6, 7: return RouteRequest(target: base + "/items", headers: [("user-agent", "bench"), ("accept", "*/*")])
    case 8: return RouteRequest(target: base + "/orders", headers: [("user-agent", "bench"), ("x-tenant", "t\(index)")])
    default: return RouteRequest(target: base + "/items/\(index * 7)", headers: [("user-agent", "bench")])
    }
}

func table(routes count: Int) -> RouteTable {
    var builder = RouteTableBuilder(RouteSet(kind: .sidecar, name: "bench", routes: [], location: location))
    for index in 0..<count { builder.append(route(index)) }
    builder.append(Route(
        name: "catch-all", matches: [], destinations: destinations("default"),
        retries: .istioDefault, retriesSource: .istioDefault, timeout: nil, location: location
    ))
    return builder.build()
}

/// Decisions per second over `seconds` of wall time.
func measure(_ table: RouteTable, routes count: Int, seconds: Double) -> Double {
    var random = SplitMix64(seed: 42)
    let picks = (0..<4096).map { _ in Int(random.next(upperBound: UInt64(count + count / 9 + 1))) }
    let requests = picks.map { $0 < count ? request(for: $0) : RouteRequest(target: "/static/app.js") }
    // Sanity: every request routes to the route it was built for (the catch-all is last).
    for (pick, request) in zip(picks, requests) {
        guard case .routed(let routed) = table.decide(request, using: &random), routed.routeIndex == min(pick, count) else {
            fatalError("\(request.path) did not route to route \(pick)")
        }
    }
    let clock = ContinuousClock()
    var decisions = 0
    var checksum = 0
    let start = clock.now
    let budget = Duration.milliseconds(Int64(seconds * 1000))
    while clock.now - start < budget {
        for request in requests {
            if case .routed(let routed) = table.decide(request, using: &random) {
                checksum &+= routed.routeIndex &+ routed.destinationIndex
            }
        }
        decisions += requests.count
    }
    let elapsed = clock.now - start
    precondition(checksum != 0)
    let (secondsPart, attoseconds) = elapsed.components
    return Double(decisions) / (Double(secondsPart) + Double(attoseconds) / 1e18)
}

let seconds = CommandLine.arguments.dropFirst().first.flatMap(Double.init) ?? 2.0
var results: [Int: Double] = [:]
print("routes  decisions/s")
for count in [10, 100, 1000] {
    let rate = measure(table(routes: count), routes: count, seconds: seconds)
    results[count] = rate
    print(String(format: "%6d  %12.0f", count, rate))
}
if let small = results[10], let large = results[1000] {
    print(String(format: "ratio 1000/10: %.2f", large / small))
}
